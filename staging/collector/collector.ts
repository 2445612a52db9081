import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { MetricsRequest, pointsOf, spansOf, TraceRequest, type CollectedSpan, type MetricPoint } from './otlp-json.ts';
import { decodeMetricsRequest, decodeTraceRequest, EMPTY_EXPORT_RESPONSE, encodeRpcStatus } from './otlp-protobuf.ts';

/** Which spans `spans()` returns; every field given must match. */
export interface SpanQuery {
  traceId?: string;
  name?: string | RegExp;
  service?: string;
  /** Attribute values that must be equal (strings, numbers, booleans). */
  attributes?: Record<string, unknown>;
}

export interface CollectorOptions {
  /** Where to forward every body as received (the user's OTEL_EXPORTER_OTLP_ENDPOINT); none by default. */
  forwardTo?: string;
  port?: number;
  /** Problems the collector cannot report otherwise (a failed forward), one line each. */
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export interface CollectorStats {
  traceRequests: number;
  metricRequests: number;
  spans: number;
  points: number;
  rejected: number;
  forwarded: number;
  forwardFailures: number;
}

export interface Collector {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT (`/v1/traces`, `/v1/metrics` are appended by exporters). */
  readonly url: string;
  spans(q?: SpanQuery): CollectedSpan[];
  /**
   * Resolves with the matching spans once `predicate` holds for them; rejects
   * after `timeoutMs` naming what it saw. Woken by each export, never sleeps.
   */
  waitForSpans(q: SpanQuery, predicate: (spans: CollectedSpan[]) => boolean, o?: { timeoutMs?: number; what?: string }): Promise<CollectedSpan[]>;
  /** The latest cumulative point of each series (service, process, labels) of `name` whose labels include `labels`. */
  metricPoints(name: string, labels?: Record<string, string>): MetricPoint[];
  /** Sum over series of `metricPoints` (value; for histograms also count). */
  metricTotal(name: string, labels?: Record<string, string>): { value: number; count: number };
  /** Resolves with `metricTotal` once `predicate` holds for it; rejects after `timeoutMs` with the last total. */
  waitForMetric(name: string, labels: Record<string, string> | undefined, predicate: (t: { value: number; count: number }) => boolean, o?: { timeoutMs?: number }): Promise<{ value: number; count: number }>;
  /**
   * Resolves once `service` sent a metric export received after `afterMs`: every
   * observation it recorded before then is in the totals (periodic readers export
   * all series each interval), or at once when `service` never exported (it has
   * recorded nothing). Rejects after `timeoutMs`.
   */
  metricExportAfter(service: string, afterMs: number, o?: { timeoutMs?: number }): Promise<void>;
  stats(): CollectorStats;
  close(): Promise<void>;
}

const matches = (s: CollectedSpan, q: SpanQuery): boolean =>
  (q.traceId === undefined || s.traceId === q.traceId) &&
  (q.name === undefined || (typeof q.name === 'string' ? s.name === q.name : q.name.test(s.name))) &&
  (q.service === undefined || s.service === q.service) &&
  (q.attributes === undefined || Object.entries(q.attributes).every(([k, v]) => s.attributes[k] === v));

type Format = 'json' | 'protobuf';
const PROTOBUF_TYPE = 'application/x-protobuf';
/** `application/x-protobuf` (what exporters send) or `application/protobuf`, parameters allowed. */
const PROTOBUF = /^\s*application\/(x-)?protobuf\s*(;|$)/i;
/** google.rpc.Code values for an error answer's Status. */
const RPC_INVALID_ARGUMENT = 3;
const RPC_UNKNOWN = 2;

const labelsInclude = (have: Record<string, string>, want: Record<string, string> = {}) => Object.entries(want).every(([k, v]) => have[k] === v);

/**
 * An OTLP/HTTP receiver in the test worker's process (docs/observability.md):
 * `/v1/traces` and `/v1/metrics` in JSON (what every process of the ecosystem
 * sends, `http/json`) or protobuf (`http/protobuf`, the default of most
 * exporters), either gzip-compressed or not, answered in the request's
 * encoding; `/v1/logs` accepted and dropped. Binds 127.0.0.1 on an ephemeral
 * port. Spans and metric points stay queryable until `close()`.
 */
export async function startCollector(o: CollectorOptions = {}): Promise<Collector> {
  const spans: CollectedSpan[] = [];
  const byTrace = new Map<string, CollectedSpan[]>();
  const series = new Map<string, MetricPoint>();
  const exportedAt = new Map<string, number>();
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const stats: CollectorStats = { traceRequests: 0, metricRequests: 0, spans: 0, points: 0, rejected: 0, forwarded: 0, forwardFailures: 0 };
  const forwardTo = o.forwardTo?.replace(/\/+$/, '');
  let seq = 0;

  const forward = (path: string, body: Buffer, headers: http.IncomingHttpHeaders) => {
    if (!forwardTo) return;
    const h: Record<string, string> = { 'content-type': String(headers['content-type'] ?? 'application/json') };
    if (headers['content-encoding']) h['content-encoding'] = String(headers['content-encoding']);
    fetch(`${forwardTo}${path}`, { method: 'POST', headers: h, body, signal: AbortSignal.timeout(5000) }).then(
      (r) => (r.ok ? stats.forwarded++ : (stats.forwardFailures++, o.log?.('collector.forward_failed', { target: forwardTo, path, status: r.status }))),
      (err: unknown) => (stats.forwardFailures++, o.log?.('collector.forward_failed', { target: forwardTo, path, error: (err as Error).message })),
    );
  };

  const answer = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  /**
   * OTLP/HTTP answers in the request's encoding: for protobuf an empty
   * Export*ServiceResponse (zero bytes) on success, a google.rpc.Status on error.
   */
  const reply = (res: http.ServerResponse, format: Format, status: number, error?: string) => {
    if (format === 'json') return answer(res, status, error === undefined ? {} : { error });
    res.writeHead(status, { 'content-type': PROTOBUF_TYPE });
    res.end(error === undefined ? EMPTY_EXPORT_RESPONSE : encodeRpcStatus(status === 400 ? RPC_INVALID_ARGUMENT : RPC_UNKNOWN, error));
  };
  const refuse = (res: http.ServerResponse, format: Format, status: number, error: string) => {
    stats.rejected++;
    reply(res, format, status, error);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'POST' || !['/v1/traces', '/v1/metrics', '/v1/logs'].includes(path)) {
        return answer(res, 404, { error: `the collector accepts POST /v1/traces, /v1/metrics and /v1/logs, not ${req.method} ${path}` });
      }
      let raw = Buffer.concat(chunks);
      forward(path, raw, req.headers);
      const type = String(req.headers['content-type'] ?? '');
      const format: Format | null = type.includes('json') ? 'json' : PROTOBUF.test(type) ? 'protobuf' : null;
      if (path === '/v1/logs') return reply(res, format ?? 'json', 200);
      if (!format) {
        stats.rejected++;
        return answer(res, 415, { error: `only OTLP/HTTP JSON (content-type application/json) and protobuf (application/x-protobuf) are read; got "${type}"` });
      }
      const encoding = String(req.headers['content-encoding'] ?? '').trim().toLowerCase() || 'identity';
      if (encoding !== 'identity' && encoding !== 'gzip') {
        return refuse(res, format, 415, `only gzip or no content-encoding is read; got "${encoding}"`);
      }
      const what = path === '/v1/traces' ? 'ExportTraceServiceRequest' : 'ExportMetricsServiceRequest';
      let body: unknown;
      try {
        if (encoding === 'gzip') raw = gunzipSync(raw);
      } catch (err) {
        return refuse(res, format, 400, `unreadable body: content-encoding gzip but not gzip data (${(err as Error).message})`);
      }
      try {
        if (format === 'json') body = JSON.parse(raw.toString('utf8'));
        else body = path === '/v1/traces' ? decodeTraceRequest(raw) : decodeMetricsRequest(raw);
      } catch (err) {
        return refuse(res, format, 400, format === 'json' ? `unreadable body: ${(err as Error).message}` : `unreadable body: not a protobuf ${what} (${(err as Error).message})`);
      }
      // Checking and flattening recurse into attribute values: a body nested past the stack is refused, not a crash.
      const unreadable = (err: unknown) => refuse(res, format, 400, `unreadable body: ${(err as Error).message}`);
      if (path === '/v1/traces') {
        let found: Array<Omit<CollectedSpan, 'seq'>>;
        try {
          const parsed = TraceRequest.safeParse(body);
          if (!parsed.success) return refuse(res, format, 400, `not an ${what}: ${parsed.error.issues[0]?.message}`);
          found = spansOf(parsed.data);
        } catch (err) {
          return unreadable(err);
        }
        stats.traceRequests++;
        for (const s of found) {
          const span = { ...s, seq: seq++ };
          spans.push(span);
          const list = byTrace.get(span.traceId) ?? [];
          list.push(span);
          byTrace.set(span.traceId, list);
          stats.spans++;
        }
        events.emit('spans');
        return reply(res, format, 200);
      }
      let points: MetricPoint[];
      const services: string[] = [];
      try {
        const parsed = MetricsRequest.safeParse(body);
        if (!parsed.success) return refuse(res, format, 400, `not an ${what}: ${parsed.error.issues[0]?.message}`);
        for (const rm of parsed.data.resourceMetrics ?? []) {
          const svc = (rm.resource?.attributes ?? []).find((a) => a.key === 'service.name')?.value as { stringValue?: string } | undefined;
          if (svc?.stringValue) services.push(svc.stringValue);
        }
        points = pointsOf(parsed.data);
      } catch (err) {
        return unreadable(err);
      }
      stats.metricRequests++;
      const received = Date.now();
      for (const svc of services) exportedAt.set(svc, received);
      for (const p of points) {
        const key = `${p.name}\u0000${p.service}\u0000${p.pid}\u0000${JSON.stringify(Object.entries(p.labels).sort())}`;
        const prev = series.get(key);
        if (!prev || prev.timeMs <= p.timeMs) series.set(key, p);
        stats.points++;
      }
      events.emit('metrics');
      return reply(res, format, 200);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`startCollector: cannot listen on 127.0.0.1:${o.port ?? 0} (${err.code ?? err.message})`)));
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const metricPoints = (name: string, labels?: Record<string, string>) => [...series.values()].filter((p) => p.name === name && labelsInclude(p.labels, labels));
  const metricTotal = (name: string, labels?: Record<string, string>) => {
    const pts = metricPoints(name, labels);
    return { value: pts.reduce((a, p) => a + p.value, 0), count: pts.reduce((a, p) => a + (p.count ?? 0), 0) };
  };
  /** Resolves with `check`'s value once it gives one, re-checked on each `event`; rejects with `why()` after `timeoutMs`. */
  const waitUntil = <T>(event: 'spans' | 'metrics', timeoutMs: number, check: () => { value: T } | null, why: () => string): Promise<T> =>
    new Promise((resolve, reject) => {
      const attempt = () => {
        const r = check();
        if (r) (cleanup(), resolve(r.value));
      };
      const timer = setTimeout(() => (cleanup(), reject(new Error(why()))), timeoutMs);
      const cleanup = () => (clearTimeout(timer), events.off(event, attempt));
      events.on(event, attempt);
      attempt();
    });
  const select = (q: SpanQuery = {}) => (q.traceId ? (byTrace.get(q.traceId.toLowerCase()) ?? []) : spans).filter((s) => matches(s, q));

  return {
    url: `http://127.0.0.1:${port}`,
    spans: select,
    waitForSpans(q, predicate, w = {}) {
      const timeoutMs = w.timeoutMs ?? 10_000;
      return waitUntil('spans', timeoutMs, () => {
        const found = select(q);
        return predicate(found) ? { value: found } : null;
      }, () => {
        const found = select(q);
        const names = [...new Set(found.map((s) => s.name))].join(', ') || 'none';
        return `waitForSpans: ${w.what ?? 'the expected spans'} did not arrive within ${timeoutMs} ms (query ${describe(q)}; ${found.length} span(s) seen: ${names})`;
      });
    },
    metricPoints,
    metricTotal,
    waitForMetric(name, labels, predicate, w = {}) {
      const timeoutMs = w.timeoutMs ?? 10_000;
      return waitUntil('metrics', timeoutMs, () => {
        const t = metricTotal(name, labels);
        return predicate(t) ? { value: t } : null;
      }, () => `waitForMetric: ${name}${labels ? ` ${JSON.stringify(labels)}` : ''} did not reach the expected value within ${timeoutMs} ms (last total ${JSON.stringify(metricTotal(name, labels))})`);
    },
    metricExportAfter(service, afterMs, w = {}) {
      const timeoutMs = w.timeoutMs ?? 5000;
      // A process that never exported has recorded nothing yet (readers send nothing for no series).
      return waitUntil('metrics', timeoutMs, () => (exportedAt.has(service) && exportedAt.get(service)! <= afterMs ? null : { value: undefined }),
        () => `metricExportAfter: no metric export from ${service} within ${timeoutMs} ms (is OTEL_METRIC_EXPORT_INTERVAL set for it?)`);
    },
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function describe(q: SpanQuery): string {
  const parts = [
    q.traceId && `trace ${q.traceId}`,
    q.name && `name ${String(q.name)}`,
    q.service && `service ${q.service}`,
    q.attributes && `attributes ${JSON.stringify(q.attributes)}`,
  ].filter(Boolean);
  return parts.join(', ') || 'all spans';
}
