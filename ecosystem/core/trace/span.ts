import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type AttributeValue, type Span as OtelSpan } from '@opentelemetry/api';
import { activeTracer } from './telemetry.ts';
import { childContext, formatTraceparent, parseTraceparent, type TraceContext } from './traceparent.ts';

/** A started span; `traceparent` is what children (processes, MCP calls) continue from. */
export interface Span {
  readonly name: string;
  readonly context: TraceContext;
  readonly parentSpanId: string | null;
  readonly traceparent: string;
  setAttributes(attrs: Record<string, unknown>): void;
  /** Ends the span once; `error` sets status ERROR and `error.message`. */
  end(status?: { error?: string }): void;
}

/** A finished span as handed to an exporter. */
export interface FinishedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
  error?: string;
}

/** A callback receiving finished spans (unit tests); production spans go to OpenTelemetry. */
export type SpanExporter = (span: FinishedSpan) => void;

export type SpanKindName = 'internal' | 'server' | 'client';

export interface SpanOptions {
  kind?: SpanKindName;
  /** Receives the span instead of OpenTelemetry (tests). */
  exporter?: SpanExporter;
}

const KINDS: Record<SpanKindName, SpanKind> = { internal: SpanKind.INTERNAL, server: SpanKind.SERVER, client: SpanKind.CLIENT };

/** OpenTelemetry attribute values are primitives or arrays of them; anything else travels as JSON. */
function attributeValue(v: unknown): AttributeValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return JSON.stringify(v);
}

function otelAttributes(attrs: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(attrs)) {
    const value = attributeValue(v);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

/**
 * Starts a span continuing `parent` (a traceparent value or context; none
 * starts a new trace). With telemetry on (initTelemetry) it is a real
 * OpenTelemetry span exported over OTLP; otherwise only its context exists.
 */
export function startSpan(
  name: string,
  parent: string | TraceContext | null | undefined,
  attributes: Record<string, unknown> = {},
  options: SpanExporter | SpanOptions = {},
): Span {
  const opts: SpanOptions = typeof options === 'function' ? { exporter: options } : options;
  const parentCtx = typeof parent === 'string' ? parseTraceparent(parent) : (parent ?? null);
  const tracer = opts.exporter ? null : activeTracer();
  if (tracer) return otelSpan(tracer.startSpan.bind(tracer), name, parentCtx, attributes, opts.kind ?? 'internal');

  const context = childContext(parentCtx);
  const attrs = { ...attributes };
  const startMs = Date.now();
  let ended = false;
  return {
    name,
    context,
    parentSpanId: parentCtx?.spanId ?? null,
    traceparent: formatTraceparent(context),
    setAttributes: (a) => void Object.assign(attrs, a),
    end(status) {
      if (ended) return;
      ended = true;
      opts.exporter?.({ name, traceId: context.traceId, spanId: context.spanId, parentSpanId: parentCtx?.spanId ?? null, startMs, endMs: Date.now(), attributes: attrs, error: status?.error });
    },
  };
}

function otelSpan(
  start: (name: string, o: { kind: SpanKind; attributes: Record<string, AttributeValue>; root?: boolean }, ctx: typeof ROOT_CONTEXT) => OtelSpan,
  name: string,
  parentCtx: TraceContext | null,
  attributes: Record<string, unknown>,
  kind: SpanKindName,
): Span {
  const ctx = parentCtx
    ? trace.setSpanContext(ROOT_CONTEXT, { traceId: parentCtx.traceId, spanId: parentCtx.spanId, traceFlags: parseInt(parentCtx.flags, 16) & 1, isRemote: true })
    : ROOT_CONTEXT;
  const span = start(name, { kind: KINDS[kind], attributes: otelAttributes(attributes), ...(parentCtx ? {} : { root: true }) }, ctx);
  const sc = span.spanContext();
  const context: TraceContext = { traceId: sc.traceId, spanId: sc.spanId, flags: (sc.traceFlags & 0xff).toString(16).padStart(2, '0') };
  let ended = false;
  return {
    name,
    context,
    parentSpanId: parentCtx?.spanId ?? null,
    traceparent: formatTraceparent(context),
    setAttributes: (a) => void span.setAttributes(otelAttributes(a)),
    end(status) {
      if (ended) return;
      ended = true;
      if (status?.error) {
        span.setAttribute('error.message', status.error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: status.error });
      }
      span.end();
    },
  };
}

/**
 * Runs `fn` inside a span: the span ends when `fn` settles, with status ERROR
 * and the error's message when it throws (the error is rethrown).
 */
export async function withSpan<T>(
  name: string,
  parent: string | TraceContext | null | undefined,
  attributes: Record<string, unknown>,
  fn: (span: Span) => Promise<T>,
  options: SpanOptions = {},
): Promise<T> {
  const span = startSpan(name, parent, attributes, options);
  try {
    const out = await fn(span);
    span.end();
    return out;
  } catch (err) {
    span.end({ error: (err as Error)?.message ?? String(err) });
    throw err;
  }
}
