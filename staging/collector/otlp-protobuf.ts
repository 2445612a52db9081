import protobuf from 'protobufjs/light.js';
import type { z } from 'zod';
import type { MetricsRequest, TraceRequest } from './otlp-json.ts';

/**
 * The OTLP/HTTP protobuf encoding (`application/x-protobuf`), decoded with
 * protobufjs into the shape of the OTLP/HTTP JSON encoding so that both go
 * through the same schemas and flattening (otlp-json.ts).
 *
 * The descriptor holds only what the collector reads, with the field numbers
 * of opentelemetry-proto (collector/{trace,metrics}/v1, trace/v1, metrics/v1,
 * common/v1, resource/v1). Everything else on the wire (events, links,
 * exemplars, exponential histograms, summaries, schema urls, fields added by
 * later versions of the proto) is an unknown field, which protobufjs skips.
 */

const attributes = (id: number) => ({ rule: 'repeated', type: 'KeyValue', id });
const kindEnum = { values: { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } };

const root = protobuf.Root.fromJSON({
  nested: {
    otlp: {
      nested: {
        // common/v1
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
        InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 }, attributes: attributes(3) } },
        // resource/v1
        Resource: { fields: { attributes: attributes(1) } },
        // trace/v1
        SpanKind: kindEnum,
        Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            traceState: { type: 'string', id: 3 },
            parentSpanId: { type: 'bytes', id: 4 },
            name: { type: 'string', id: 5 },
            kind: { type: 'SpanKind', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: attributes(9),
            status: { type: 'Status', id: 15 },
          },
        },
        ScopeSpans: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: { rule: 'repeated', type: 'Span', id: 2 } } },
        ResourceSpans: { fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 } } },
        // metrics/v1
        NumberDataPoint: {
          oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
          fields: {
            attributes: attributes(7),
            startTimeUnixNano: { type: 'fixed64', id: 2 },
            timeUnixNano: { type: 'fixed64', id: 3 },
            asDouble: { type: 'double', id: 4 },
            asInt: { type: 'sfixed64', id: 6 },
          },
        },
        HistogramDataPoint: {
          oneofs: { _sum: { oneof: ['sum'] } },
          fields: {
            attributes: attributes(9),
            startTimeUnixNano: { type: 'fixed64', id: 2 },
            timeUnixNano: { type: 'fixed64', id: 3 },
            count: { type: 'fixed64', id: 4 },
            sum: { type: 'double', id: 5, options: { proto3_optional: true } },
            bucketCounts: { rule: 'repeated', type: 'fixed64', id: 6 },
            explicitBounds: { rule: 'repeated', type: 'double', id: 7 },
          },
        },
        Gauge: { fields: { dataPoints: { rule: 'repeated', type: 'NumberDataPoint', id: 1 } } },
        Sum: {
          fields: {
            dataPoints: { rule: 'repeated', type: 'NumberDataPoint', id: 1 },
            aggregationTemporality: { type: 'int32', id: 2 },
            isMonotonic: { type: 'bool', id: 3 },
          },
        },
        Histogram: { fields: { dataPoints: { rule: 'repeated', type: 'HistogramDataPoint', id: 1 }, aggregationTemporality: { type: 'int32', id: 2 } } },
        Metric: {
          oneofs: { data: { oneof: ['gauge', 'sum', 'histogram'] } },
          fields: {
            name: { type: 'string', id: 1 },
            description: { type: 'string', id: 2 },
            unit: { type: 'string', id: 3 },
            gauge: { type: 'Gauge', id: 5 },
            sum: { type: 'Sum', id: 7 },
            histogram: { type: 'Histogram', id: 9 },
          },
        },
        ScopeMetrics: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, metrics: { rule: 'repeated', type: 'Metric', id: 2 } } },
        ResourceMetrics: { fields: { resource: { type: 'Resource', id: 1 }, scopeMetrics: { rule: 'repeated', type: 'ScopeMetrics', id: 2 } } },
        // collector/{trace,metrics}/v1
        ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
        ExportMetricsServiceRequest: { fields: { resourceMetrics: { rule: 'repeated', type: 'ResourceMetrics', id: 1 } } },
        // google/rpc/status.proto: the body of an OTLP/HTTP error answer to a protobuf request
        RpcStatus: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } },
      },
    },
  },
});

const TraceRequestType = root.lookupType('otlp.ExportTraceServiceRequest');
const MetricsRequestType = root.lookupType('otlp.ExportMetricsServiceRequest');
const RpcStatusType = root.lookupType('otlp.RpcStatus');

/** In OTLP/JSON trace and span ids are hex (not base64, as the protobuf JSON mapping would have them). */
const HEX_IDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/**
 * A decoded message as OTLP/JSON: 64-bit integers as decimal strings (exact),
 * enums as numbers, ids as lowercase hex, other bytes as base64, absent
 * singular scalars as their proto3 defaults (as an exporter leaves them out),
 * absent messages and oneof members left out.
 */
function asJson(v: unknown, key = ''): unknown {
  if (v instanceof Uint8Array) return HEX_IDS.has(key) ? Buffer.from(v).toString('hex') : Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map((x) => asJson(x, key));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = asJson(x, k);
    return out;
  }
  return v;
}

const decode = (type: protobuf.Type, body: Uint8Array): unknown =>
  asJson(type.toObject(type.decode(body), { longs: String, enums: Number, defaults: true, arrays: true }));

/** Decodes an ExportTraceServiceRequest; throws (protobufjs' message) when `body` is not one. */
export function decodeTraceRequest(body: Uint8Array): z.input<typeof TraceRequest> {
  return decode(TraceRequestType, body) as z.input<typeof TraceRequest>;
}

/** Decodes an ExportMetricsServiceRequest; throws (protobufjs' message) when `body` is not one. */
export function decodeMetricsRequest(body: Uint8Array): z.input<typeof MetricsRequest> {
  return decode(MetricsRequestType, body) as z.input<typeof MetricsRequest>;
}

/**
 * An ExportTraceServiceResponse / ExportMetricsServiceResponse with every
 * field absent (full success, no partial_success): zero bytes.
 */
export const EMPTY_EXPORT_RESPONSE = new Uint8Array(0);

/** A google.rpc.Status, the body OTLP/HTTP gives an error answer to a protobuf request. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatusType.encode(RpcStatusType.create({ code, message })).finish();
}

/** Reads a google.rpc.Status body (for tests and logs). */
export function decodeRpcStatus(body: Uint8Array): { code: number; message: string } {
  const s = RpcStatusType.toObject(RpcStatusType.decode(body), { defaults: true }) as { code: number; message: string };
  return { code: s.code, message: s.message };
}
