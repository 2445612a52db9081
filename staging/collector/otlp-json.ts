import { z } from 'zod';

/**
 * The OTLP/HTTP JSON encoding (opentelemetry-proto, `ExportTraceServiceRequest`
 * and `ExportMetricsServiceRequest`), read leniently: ids as hex strings,
 * 64-bit integers as strings or numbers, unknown fields ignored.
 */

const AnyValue: z.ZodType<unknown> = z.lazy(() =>
  z
    .object({
      stringValue: z.string().optional(),
      boolValue: z.boolean().optional(),
      intValue: z.union([z.string(), z.number()]).optional(),
      doubleValue: z.union([z.number(), z.string()]).optional(),
      arrayValue: z.object({ values: z.array(AnyValue).optional() }).optional(),
      kvlistValue: z.object({ values: z.array(KeyValue).optional() }).optional(),
      bytesValue: z.string().optional(),
    })
    .passthrough(),
);
const KeyValue = z.object({ key: z.string(), value: AnyValue.optional() }).passthrough();
const Attributes = z.array(KeyValue).optional();
const Int64 = z.union([z.string(), z.number()]);

const SpanJson = z
  .object({
    traceId: z.string(),
    spanId: z.string(),
    parentSpanId: z.string().optional(),
    name: z.string(),
    kind: z.number().optional(),
    startTimeUnixNano: Int64,
    endTimeUnixNano: Int64,
    attributes: Attributes,
    status: z.object({ code: z.number().optional(), message: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();

export const TraceRequest = z
  .object({
    resourceSpans: z
      .array(
        z
          .object({
            resource: z.object({ attributes: Attributes }).passthrough().optional(),
            scopeSpans: z.array(z.object({ spans: z.array(SpanJson).optional() }).passthrough()).optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

const NumberPoint = z.object({ attributes: Attributes, timeUnixNano: Int64.optional(), asInt: Int64.optional(), asDouble: z.number().optional() }).passthrough();
const HistogramPoint = z
  .object({ attributes: Attributes, timeUnixNano: Int64.optional(), count: Int64.optional(), sum: z.number().optional(), bucketCounts: z.array(Int64).optional(), explicitBounds: z.array(z.number()).optional() })
  .passthrough();
const MetricJson = z
  .object({
    name: z.string(),
    sum: z.object({ dataPoints: z.array(NumberPoint).optional() }).passthrough().optional(),
    gauge: z.object({ dataPoints: z.array(NumberPoint).optional() }).passthrough().optional(),
    histogram: z.object({ dataPoints: z.array(HistogramPoint).optional() }).passthrough().optional(),
  })
  .passthrough();

export const MetricsRequest = z
  .object({
    resourceMetrics: z
      .array(
        z
          .object({
            resource: z.object({ attributes: Attributes }).passthrough().optional(),
            scopeMetrics: z.array(z.object({ metrics: z.array(MetricJson).optional() }).passthrough()).optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
const KINDS: SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** One span as the collector keeps it. */
export interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** `service.name` of the exporting process's resource. */
  service: string;
  kind: SpanKindName;
  startMs: number;
  endMs: number;
  durationMs: number;
  attributes: Record<string, unknown>;
  status: 'unset' | 'ok' | 'error';
  statusMessage?: string;
  /** Receipt order in this collector. */
  seq: number;
}

/** One data point of a metric as exported (cumulative temporality). */
export interface MetricPoint {
  name: string;
  service: string;
  /** The exporting process (`process.pid` of its resource), so series of two processes never mix. */
  pid: string;
  labels: Record<string, string>;
  kind: 'sum' | 'gauge' | 'histogram';
  /** Sum or gauge value; for a histogram the sum of observations. */
  value: number;
  /** Histograms: number of observations. */
  count?: number;
  timeMs: number;
}

export function anyValue(v: unknown): unknown {
  const x = v as z.infer<typeof AnyValue> & Record<string, any>;
  if (!x || typeof x !== 'object') return undefined;
  if (x.stringValue !== undefined) return x.stringValue;
  if (x.boolValue !== undefined) return x.boolValue;
  if (x.intValue !== undefined) return Number(x.intValue);
  if (x.doubleValue !== undefined) return Number(x.doubleValue);
  if (x.arrayValue) return (x.arrayValue.values ?? []).map(anyValue);
  if (x.kvlistValue) return attributesOf(x.kvlistValue.values);
  if (x.bytesValue !== undefined) return x.bytesValue;
  return undefined;
}

export function attributesOf(list: Array<{ key: string; value?: unknown }> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

const nanosToMs = (v: string | number | undefined) => (v === undefined ? 0 : Number(BigInt(String(v)) / 1000n) / 1000);
const STATUS = ['unset', 'ok', 'error'] as const;

/** Spans of one export request, flattened. */
export function spansOf(req: z.infer<typeof TraceRequest>): Array<Omit<CollectedSpan, 'seq'>> {
  const out: Array<Omit<CollectedSpan, 'seq'>> = [];
  for (const rs of req.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown_service';
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const startMs = nanosToMs(s.startTimeUnixNano);
        const endMs = nanosToMs(s.endTimeUnixNano);
        out.push({
          traceId: s.traceId.toLowerCase(),
          spanId: s.spanId.toLowerCase(),
          parentSpanId: s.parentSpanId ? s.parentSpanId.toLowerCase() : null,
          name: s.name,
          service,
          kind: KINDS[s.kind ?? 0] ?? 'unspecified',
          startMs,
          endMs,
          durationMs: Math.max(0, endMs - startMs),
          attributes: attributesOf(s.attributes),
          status: STATUS[s.status?.code ?? 0] ?? 'unset',
          ...(s.status?.message ? { statusMessage: s.status.message } : {}),
        });
      }
    }
  }
  return out;
}

/** Data points of one export request, flattened. */
export function pointsOf(req: z.infer<typeof MetricsRequest>): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (const rm of req.resourceMetrics ?? []) {
    const resource = attributesOf(rm.resource?.attributes);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown_service';
    const pid = String(resource['process.pid'] ?? '?');
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const base = { name: m.name, service, pid };
        const labels = (a: Array<{ key: string; value?: unknown }> | undefined) =>
          Object.fromEntries(Object.entries(attributesOf(a)).map(([k, v]) => [k, String(v)]));
        for (const p of m.sum?.dataPoints ?? []) out.push({ ...base, kind: 'sum', labels: labels(p.attributes), value: Number(p.asInt ?? p.asDouble ?? 0), timeMs: nanosToMs(p.timeUnixNano) });
        for (const p of m.gauge?.dataPoints ?? []) out.push({ ...base, kind: 'gauge', labels: labels(p.attributes), value: Number(p.asInt ?? p.asDouble ?? 0), timeMs: nanosToMs(p.timeUnixNano) });
        for (const p of m.histogram?.dataPoints ?? []) {
          out.push({ ...base, kind: 'histogram', labels: labels(p.attributes), value: p.sum ?? 0, count: Number(p.count ?? 0), timeMs: nanosToMs(p.timeUnixNano) });
        }
      }
    }
  }
  return out;
}
