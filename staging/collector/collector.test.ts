import { expect, test } from '@playwright/test';
import { startCollector } from './collector.ts';

const body = (traceId: string, name: string) => ({
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'butler-x' } }] },
    scopeSpans: [{ spans: [{ traceId, spanId: '00f067aa0ba902b7', name, kind: 2, startTimeUnixNano: '1000000000', endTimeUnixNano: '1005000000', attributes: [{ key: 'tool.name', value: { stringValue: 'x' } }], status: { code: 2, message: 'boom' } }] }],
  }],
});
const post = (url: string, path: string, b: unknown, type = 'application/json') => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(b) });

test('OBS-26 a collector with a forward target delivers identical spans there', async () => {
  const target = await startCollector();
  const first = await startCollector({ forwardTo: target.url });
  try {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect((await post(first.url, '/v1/traces', body(traceId, 'tool:x'))).status).toBe(200);
    const there = await target.waitForSpans({ traceId }, (s) => s.length === 1, { timeoutMs: 5000 });
    const strip = ({ seq: _seq, ...s }: { seq: number }) => s;
    expect(there.map(strip)).toEqual(first.spans({ traceId }).map(strip));
    expect(there[0]).toMatchObject({ name: 'tool:x', service: 'butler-x', kind: 'server', status: 'error', statusMessage: 'boom', durationMs: 5, attributes: { 'tool.name': 'x' } });
  } finally {
    await first.close();
    await target.close();
  }
});

test('the collector refuses what it cannot read with a status and a sentence, and keeps going', async () => {
  const c = await startCollector();
  try {
    const proto = await post(c.url, '/v1/traces', {}, 'application/x-protobuf');
    expect(proto.status).toBe(415);
    expect(((await proto.json()) as { error: string }).error).toContain('OTEL_EXPORTER_OTLP_PROTOCOL=http/json');
    expect((await fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' })).status).toBe(400);
    expect((await post(c.url, '/v1/traces', { resourceSpans: 'nope' })).status).toBe(400);
    expect((await fetch(`${c.url}/elsewhere`)).status).toBe(404);
    expect((await post(c.url, '/v1/logs', { resourceLogs: [] })).status).toBe(200);
    expect((await post(c.url, '/v1/traces', body('4bf92f3577b34da6a3ce929d0e0e4737', 'ok'))).status).toBe(200);
    expect(c.stats()).toMatchObject({ rejected: 3, spans: 1 });
    await expect(c.waitForSpans({ name: 'never' }, (s) => s.length > 0, { timeoutMs: 100 })).rejects.toThrow(/did not arrive within 100 ms .*0 span/);
  } finally {
    await c.close();
  }
});

test('metric totals add the latest cumulative point of each process and wait for growth', async () => {
  const c = await startCollector();
  const metrics = (pid: number, value: number, t: string) => ({
    resourceMetrics: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'butler-switchboard' } }, { key: 'process.pid', value: { intValue: pid } }] },
      scopeMetrics: [{ metrics: [{ name: 'm', histogram: { dataPoints: [{ attributes: [{ key: 'model', value: { stringValue: 'a' } }], count: String(value), sum: value * 10, timeUnixNano: t }] } }] }],
    }],
  });
  try {
    await post(c.url, '/v1/metrics', metrics(1, 2, '1000'));
    await post(c.url, '/v1/metrics', metrics(1, 3, '2000'));
    await post(c.url, '/v1/metrics', metrics(2, 1, '2000'));
    expect(c.metricTotal('m', { model: 'a' })).toEqual({ count: 4, value: 40 });
    expect(c.metricTotal('m', { model: 'b' })).toEqual({ count: 0, value: 0 });
    const grown = c.waitForMetric('m', undefined, (t) => t.count >= 5, { timeoutMs: 2000 });
    await post(c.url, '/v1/metrics', metrics(2, 2, '3000'));
    expect(await grown).toEqual({ count: 5, value: 50 });
  } finally {
    await c.close();
  }
});
