import { randomBytes } from 'node:crypto';

/** A W3C trace context (https://www.w3.org/TR/trace-context/): ids as lowercase hex. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  /** Two hex digits; `01` = sampled. */
  flags: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * Parses a `traceparent` header value; null when absent or invalid (an
 * invalid parent starts a new trace rather than failing the call, as the
 * W3C spec asks). Future versions may append fields; version `ff` is invalid.
 */
export function parseTraceparent(value: unknown): TraceContext | null {
  if (typeof value !== 'string') return null;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return null;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff' || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return null;
  if (version === '00' && rest !== undefined) return null;
  return { traceId, spanId, flags };
}

export function formatTraceparent(ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.flags}`;
}

function randomHex(bytes: number, zero: string): string {
  for (;;) {
    const id = randomBytes(bytes).toString('hex');
    if (id !== zero) return id;
  }
}

export const newTraceId = (): string => randomHex(16, ZERO_TRACE);
export const newSpanId = (): string => randomHex(8, ZERO_SPAN);

/** A new span's context under `parent`, or the root of a new sampled trace when there is none. */
export function childContext(parent: TraceContext | null): TraceContext {
  return parent ? { traceId: parent.traceId, spanId: newSpanId(), flags: parent.flags } : { traceId: newTraceId(), spanId: newSpanId(), flags: '01' };
}
