import { childContext, formatTraceparent, parseTraceparent, type TraceContext } from './traceparent.ts';

/** A started span; `traceparent` is what children (processes, MCP calls) continue from. */
export interface Span {
  readonly name: string;
  readonly context: TraceContext;
  readonly parentSpanId: string | null;
  readonly traceparent: string;
  setAttributes(attrs: Record<string, unknown>): void;
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

/**
 * Where finished spans go. The default drops them; OTLP export plugs in here
 * later without changing the code that starts spans.
 */
export type SpanExporter = (span: FinishedSpan) => void;

const drop: SpanExporter = () => undefined;

/** Starts spans that continue `parent` (a traceparent value or context) and reports them to `exporter` on end. */
export function startSpan(
  name: string,
  parent: string | TraceContext | null | undefined,
  attributes: Record<string, unknown> = {},
  exporter: SpanExporter = drop,
): Span {
  const parentCtx = typeof parent === 'string' ? parseTraceparent(parent) : (parent ?? null);
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
      exporter({ name, traceId: context.traceId, spanId: context.spanId, parentSpanId: parentCtx?.spanId ?? null, startMs, endMs: Date.now(), attributes: attrs, error: status?.error });
    },
  };
}
