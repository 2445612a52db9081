import { childContext, formatTraceparent, parseTraceparent } from '../trace/traceparent.ts';

/** W3C trace context for an outgoing call, continuing the incoming one when there is one. */
export interface OutgoingTrace {
  traceId: string;
  /** `00-<trace id>-<new span id>-<flags>`: a child of the incoming context. */
  traceparent: string;
  tracestate?: string;
}

/** The trace id of `_meta.traceparent`, or null when absent or malformed. */
export function traceIdOf(meta: Record<string, unknown> | undefined): string | null {
  return parseTraceparent(meta?.traceparent)?.traceId ?? null;
}

/**
 * A child context of `_meta.traceparent` (same trace, new span id), or a new
 * root when the caller sent none; `tracestate` travels only with a valid parent.
 */
export function childTrace(meta: Record<string, unknown> | undefined): OutgoingTrace {
  const parent = parseTraceparent(meta?.traceparent);
  const ctx = childContext(parent);
  const tracestate = parent && typeof meta?.tracestate === 'string' ? meta.tracestate : undefined;
  return { traceId: ctx.traceId, traceparent: formatTraceparent(ctx), ...(tracestate ? { tracestate } : {}) };
}
