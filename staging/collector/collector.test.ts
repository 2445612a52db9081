import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, ValueType } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import protobuf from 'protobufjs/light.js';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startCollector } from './collector.ts';
import { decodeRpcStatus } from './otlp-protobuf.ts';

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
    const text = await post(c.url, '/v1/traces', {}, 'text/plain');
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: string }).error).toContain('application/x-protobuf');
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

// --- OTLP/HTTP protobuf, as real exporters send it (`http/protobuf`) ---

const resource = resourceFromAttributes({ 'service.name': 'butler-x', 'process.pid': 4242 });
const strip = ({ seq: _seq, ...s }: { seq: number }) => s;

/** Three finished spans (a root, an erroring child, an ok grandchild) with exact nanosecond times past 2^53 ns. */
function recordSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('collector-test');
  const root = tracer.startSpan('switchboard.ingest', { kind: SpanKind.SERVER, startTime: [1_700_000_000, 123_456_789] });
  const child = tracer.startSpan(
    'tool:x',
    { kind: SpanKind.CLIENT, startTime: [1_700_000_000, 125_000_000], attributes: { 'tool.name': 'x', 'tool.attempt': 3, 'tool.ratio': 0.25, 'tool.cached': false, 'tool.tags': ['a', 'b'] } },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  const grandchild = tracer.startSpan('llm.request', { kind: SpanKind.INTERNAL, startTime: [1_700_000_000, 126_000_000] }, trace.setSpan(ROOT_CONTEXT, child));
  grandchild.setStatus({ code: SpanStatusCode.OK });
  grandchild.end([1_700_000_000, 127_500_000]);
  child.end([1_700_000_000, 128_000_000]);
  root.end([1_700_000_001, 123_456_789]);
  return memory.getFinishedSpans();
}

/** One collection of a counter (int), a counter (double), an up-down counter, a gauge and a histogram. */
async function recordMetrics(): Promise<ResourceMetrics> {
  class Reader extends MetricReader {
    protected override async onShutdown() {}
    protected override async onForceFlush() {}
  }
  const reader = new Reader();
  const meter = new MeterProvider({ resource, readers: [reader] }).getMeter('collector-test');
  const routes = meter.createCounter('switchboard.route.errors', { valueType: ValueType.INT });
  routes.add(2, { target_butler: 'health', error_class: 'timeout' });
  routes.add(1, { target_butler: 'health', error_class: 'timeout' });
  routes.add(5, { target_butler: 'general', error_class: 'refused' });
  meter.createCounter('switchboard.classify.tokens').add(12.5, { direction: 'in' });
  meter.createUpDownCounter('sessions.open').add(-2);
  meter.createGauge('queue.depth').record(7, { queue: 'q' });
  const durations = meter.createHistogram('switchboard.classify.duration_ms');
  for (const v of [3.5, 40, 1200]) durations.record(v, { model: 'a' });
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return resourceMetrics;
}

interface AnyExporter<T> {
  export(items: T, done: (r: ExportResult) => void): void;
  shutdown(): Promise<void>;
}
/** Exports `items` once and shuts the exporter down; resolves with the exporter's verdict on the answer. */
async function exportOnce<T>(exporter: AnyExporter<T>, items: T): Promise<ExportResult> {
  try {
    return await new Promise<ExportResult>((resolve) => exporter.export(items, resolve));
  } finally {
    await exporter.shutdown();
  }
}
type Compression = NonNullable<ConstructorParameters<typeof ProtoTraceExporter>[0]>['compression'];
const GZIP = 'gzip' as Compression;
const postBytes = (url: string, path: string, body: Uint8Array, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...headers }, body });

test('protobuf spans from a real OTLPTraceExporter are kept exactly as the same spans sent as JSON', async () => {
  const json = await startCollector();
  const proto = await startCollector();
  try {
    const recorded = recordSpans();
    const traceId = recorded[0].spanContext().traceId;
    expect((await exportOnce(new JsonTraceExporter({ url: `${json.url}/v1/traces` }), recorded)).code).toBe(ExportResultCode.SUCCESS);
    // SUCCESS also means the exporter read the (empty, protobuf) ExportTraceServiceResponse.
    expect((await exportOnce(new ProtoTraceExporter({ url: `${proto.url}/v1/traces` }), recorded)).code).toBe(ExportResultCode.SUCCESS);
    const viaJson = json.spans({ traceId });
    const viaProto = proto.spans({ traceId });
    expect(viaJson).toHaveLength(3);
    expect(viaProto.map(strip)).toEqual(viaJson.map(strip));

    const byName = Object.fromEntries(viaProto.map((s) => [s.name, s]));
    const root = recorded.find((s) => s.name === 'switchboard.ingest')!;
    const child = recorded.find((s) => s.name === 'tool:x')!;
    expect(byName['switchboard.ingest']).toMatchObject({
      traceId, spanId: root.spanContext().spanId, parentSpanId: null, service: 'butler-x', kind: 'server', status: 'unset',
      startMs: 1_700_000_000_123.456, endMs: 1_700_000_001_123.456, attributes: {},
    });
    expect(byName['switchboard.ingest'].durationMs).toBeCloseTo(1000, 6);
    expect(byName['tool:x']).toMatchObject({
      spanId: child.spanContext().spanId, parentSpanId: root.spanContext().spanId, kind: 'client', status: 'error', statusMessage: 'boom',
      attributes: { 'tool.name': 'x', 'tool.attempt': 3, 'tool.ratio': 0.25, 'tool.cached': false, 'tool.tags': ['a', 'b'] },
    });
    expect(byName['tool:x'].durationMs).toBeCloseTo(3, 6);
    expect(byName['llm.request']).toMatchObject({ parentSpanId: child.spanContext().spanId, kind: 'internal', status: 'ok' });
    expect(byName['llm.request'].durationMs).toBeCloseTo(1.5, 6);
    expect(byName['llm.request']).not.toHaveProperty('statusMessage');
    for (const s of viaProto) expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);

    const raw = await postBytes(proto.url, '/v1/traces', ProtobufTraceSerializer.serializeRequest(recorded)!);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await raw.arrayBuffer()).byteLength).toBe(0);
    expect(proto.stats()).toMatchObject({ traceRequests: 2, spans: 6, rejected: 0 });
  } finally {
    await json.close();
    await proto.close();
  }
});

test('protobuf metric points from a real OTLPMetricExporter give the same series and totals as JSON', async () => {
  const json = await startCollector();
  const proto = await startCollector();
  try {
    const collected = await recordMetrics();
    expect((await exportOnce(new JsonMetricExporter({ url: `${json.url}/v1/metrics` }), collected)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exportOnce(new ProtoMetricExporter({ url: `${proto.url}/v1/metrics` }), collected)).code).toBe(ExportResultCode.SUCCESS);
    const names = ['switchboard.route.errors', 'switchboard.classify.tokens', 'sessions.open', 'queue.depth', 'switchboard.classify.duration_ms'];
    for (const name of names) {
      expect(proto.metricPoints(name), name).toEqual(json.metricPoints(name));
      expect(proto.metricPoints(name).length, name).toBeGreaterThan(0);
    }
    expect(proto.metricPoints('switchboard.route.errors', { target_butler: 'health' })).toEqual([
      expect.objectContaining({ kind: 'sum', service: 'butler-x', pid: '4242', labels: { target_butler: 'health', error_class: 'timeout' }, value: 3 }),
    ]);
    expect(proto.metricTotal('switchboard.route.errors')).toEqual({ value: 8, count: 0 });
    expect(proto.metricTotal('switchboard.classify.tokens', { direction: 'in' }).value).toBe(12.5);
    expect(proto.metricTotal('sessions.open').value).toBe(-2);
    expect(proto.metricPoints('queue.depth')).toEqual([expect.objectContaining({ kind: 'gauge', labels: { queue: 'q' }, value: 7 })]);
    expect(proto.metricTotal('switchboard.classify.duration_ms', { model: 'a' })).toEqual({ value: 1243.5, count: 3 });
    const point = proto.metricPoints('queue.depth')[0];
    expect(Math.abs(point.timeMs - Date.now())).toBeLessThan(60_000);
    await proto.metricExportAfter('butler-x', Date.now() - 60_000, { timeoutMs: 100 });

    const raw = await postBytes(proto.url, '/v1/metrics', ProtobufMetricsSerializer.serializeRequest(collected)!);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await raw.arrayBuffer()).byteLength).toBe(0);
  } finally {
    await json.close();
    await proto.close();
  }
});

test('gzip bodies are read in both encodings, from exporters with compression gzip and by hand', async () => {
  const c = await startCollector();
  try {
    const recorded = recordSpans();
    const traceId = recorded[0].spanContext().traceId;
    expect((await exportOnce(new ProtoTraceExporter({ url: `${c.url}/v1/traces`, compression: GZIP }), recorded)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exportOnce(new JsonTraceExporter({ url: `${c.url}/v1/traces`, compression: GZIP }), recorded)).code).toBe(ExportResultCode.SUCCESS);
    const gzProto = await postBytes(c.url, '/v1/traces', gzipSync(ProtobufTraceSerializer.serializeRequest(recorded)!), { 'content-encoding': 'gzip' });
    expect(gzProto.status).toBe(200);
    const gzJson = await fetch(`${c.url}/v1/traces`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(body('4bf92f3577b34da6a3ce929d0e0e4738', 'gz'))),
    });
    expect(gzJson.status).toBe(200);
    const gzMetrics = await postBytes(c.url, '/v1/metrics', gzipSync(ProtobufMetricsSerializer.serializeRequest(await recordMetrics())!), { 'content-encoding': 'gzip' });
    expect(gzMetrics.status).toBe(200);
    const spans = c.spans({ traceId });
    expect(spans).toHaveLength(9);
    const first = spans.slice(0, 3).map(strip);
    expect(spans.slice(3, 6).map(strip)).toEqual(first);
    expect(spans.slice(6, 9).map(strip)).toEqual(first);
    expect(c.spans({ traceId: '4bf92f3577b34da6a3ce929d0e0e4738' })).toHaveLength(1);
    expect(c.metricTotal('switchboard.classify.duration_ms')).toEqual({ value: 1243.5, count: 3 });
    expect(c.stats()).toMatchObject({ rejected: 0, traceRequests: 4, metricRequests: 1 });
  } finally {
    await c.close();
  }
});

test('a malformed protobuf body gets 400 with a google.rpc.Status saying why, and loses nothing', async () => {
  const c = await startCollector();
  try {
    const recorded = recordSpans();
    const traceId = recorded[0].spanContext().traceId;
    const good = ProtobufTraceSerializer.serializeRequest(recorded)!;
    expect((await postBytes(c.url, '/v1/traces', good)).status).toBe(200);

    const refusal = async (r: Response) => {
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toBe('application/x-protobuf');
      return decodeRpcStatus(new Uint8Array(await r.arrayBuffer()));
    };
    const truncated = await refusal(await postBytes(c.url, '/v1/traces', good.subarray(0, good.length - 7)));
    expect(truncated.code).toBe(3); // INVALID_ARGUMENT
    expect(truncated.message).toMatch(/^unreadable body: not a protobuf ExportTraceServiceRequest \(.+\)$/);
    const metrics = ProtobufMetricsSerializer.serializeRequest(await recordMetrics())!;
    const badMetrics = await refusal(await postBytes(c.url, '/v1/metrics', metrics.subarray(0, 20)));
    expect(badMetrics.message).toMatch(/^unreadable body: not a protobuf ExportMetricsServiceRequest \(.+\)$/);
    const notGzip = await refusal(await postBytes(c.url, '/v1/traces', good, { 'content-encoding': 'gzip' }));
    expect(notGzip.message).toContain('content-encoding gzip but not gzip data');
    const br = await postBytes(c.url, '/v1/traces', good, { 'content-encoding': 'br' });
    expect(br.status).toBe(415);

    expect((await postBytes(c.url, '/v1/traces', good)).status).toBe(200);
    const kept = c.spans({ traceId }).map(strip);
    expect(kept).toHaveLength(6);
    expect(kept.slice(3)).toEqual(kept.slice(0, 3));
    expect(c.stats()).toMatchObject({ rejected: 4, traceRequests: 2, spans: 6 });
    expect((await postBytes(c.url, '/v1/logs', new Uint8Array(0))).headers.get('content-type')).toBe('application/x-protobuf');
  } finally {
    await c.close();
  }
});

test('a body nested past what the collector can read is refused, not a crash', async () => {
  const c = await startCollector();
  try {
    // An attribute value that is an array in an array ... 20 000 deep, in JSON (built as text: stringify recurses).
    const depth = 20_000;
    const value = '{"arrayValue":{"values":['.repeat(depth) + '{"stringValue":"x"}' + ']}}'.repeat(depth);
    const span = `{"traceId":"4bf92f3577b34da6a3ce929d0e0e4739","spanId":"00f067aa0ba902b7","name":"deep","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"k","value":${value}}]}`;
    const deepJson = await fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}]}]}` });
    expect(deepJson.status).toBe(400);
    expect(((await deepJson.json()) as { error: string }).error).toContain('unreadable body');
    // The same in protobuf, 200 deep: protobufjs stops at protoc's nesting limit (100 messages).
    let any = protobuf.Writer.create().uint32((1 << 3) | 2).string('x').finish();
    for (let i = 0; i < 200; i++) {
      const array = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(any).finish();
      any = protobuf.Writer.create().uint32((5 << 3) | 2).bytes(array).finish();
    }
    const message = (field: number, inner: Uint8Array) => protobuf.Writer.create().uint32((field << 3) | 2).bytes(inner).finish();
    const kv = protobuf.Writer.create().uint32((1 << 3) | 2).string('k').uint32((2 << 3) | 2).bytes(any).finish();
    const deepProto = await postBytes(c.url, '/v1/traces', message(1, message(2, message(2, message(9, kv)))));
    expect(deepProto.status).toBe(400);
    expect(decodeRpcStatus(new Uint8Array(await deepProto.arrayBuffer())).message).toContain('maximum nesting depth exceeded');
    expect((await post(c.url, '/v1/traces', body('4bf92f3577b34da6a3ce929d0e0e4739', 'shallow'))).status).toBe(200);
    expect(c.spans().map((s) => s.name)).toEqual(['shallow']);
    expect(c.stats()).toMatchObject({ rejected: 2, spans: 1 });
  } finally {
    await c.close();
  }
});

test('OBS-26 a forwarded protobuf body (gzip, as the exporter sent it) yields identical spans at the target', async () => {
  const target = await startCollector();
  const first = await startCollector({ forwardTo: target.url });
  try {
    const recorded = recordSpans();
    const traceId = recorded[0].spanContext().traceId;
    expect((await exportOnce(new ProtoTraceExporter({ url: `${first.url}/v1/traces`, compression: GZIP }), recorded)).code).toBe(ExportResultCode.SUCCESS);
    const there = await target.waitForSpans({ traceId }, (s) => s.length === 3, { timeoutMs: 5000 });
    expect(there.map(strip)).toEqual(first.spans({ traceId }).map(strip));
    expect(there.find((s) => s.name === 'tool:x')).toMatchObject({ service: 'butler-x', kind: 'client', status: 'error', statusMessage: 'boom', attributes: { 'tool.attempt': 3 } });
    await expect.poll(() => first.stats().forwarded).toBe(1);
    expect(target.stats()).toMatchObject({ rejected: 0, traceRequests: 1 });
  } finally {
    await first.close();
    await target.close();
  }
});

test('a forwarded protobuf metrics body yields the same series at the target', async () => {
  const target = await startCollector();
  const first = await startCollector({ forwardTo: target.url });
  try {
    expect((await exportOnce(new ProtoMetricExporter({ url: `${first.url}/v1/metrics` }), await recordMetrics())).code).toBe(ExportResultCode.SUCCESS);
    await target.waitForMetric('switchboard.classify.duration_ms', undefined, (t) => t.count === 3, { timeoutMs: 5000 });
    for (const name of ['switchboard.route.errors', 'queue.depth', 'switchboard.classify.duration_ms']) expect(target.metricPoints(name), name).toEqual(first.metricPoints(name));
  } finally {
    await first.close();
    await target.close();
  }
});
