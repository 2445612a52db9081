import type { CollectedSpan } from '../staging/collector/otlp-json.ts';

const KIND_NUMBER = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: Array<{ key: string; value: AnyValue }> } };

function anyValue(v: unknown): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v && typeof v === 'object') return { kvlistValue: { values: Object.entries(v).map(([key, x]) => ({ key, value: anyValue(x) })) } };
  return { stringValue: String(v) };
}

/**
 * Spans back in the OTLP/JSON wire form (an ExportTraceServiceRequest), one
 * resource per service, so a trace file can be posted as it is to any OTLP/HTTP
 * endpoint (`curl --data @file -H 'content-type: application/json'
 * http://localhost:4318/v1/traces`) and opened in Jaeger or Tempo. Spans keep
 * their start order, so the same spans always give the same file.
 */
export function otlpTraceRequest(spans: readonly CollectedSpan[]): object {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs || a.spanId.localeCompare(b.spanId));
  const services = [...new Set(sorted.map((s) => s.service))];
  return {
    resourceSpans: services.map((service) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [
        {
          scope: { name: 'butlers-e2e' },
          spans: sorted
            .filter((s) => s.service === service)
            .map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: KIND_NUMBER[s.kind],
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: nanos(s.endMs),
              attributes: Object.entries(s.attributes).map(([key, value]) => ({ key, value: anyValue(value) })),
              status: { code: STATUS_CODE[s.status], ...(s.statusMessage ? { message: s.statusMessage } : {}) },
            })),
        },
      ],
    })),
  };
}
