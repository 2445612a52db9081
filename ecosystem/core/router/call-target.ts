import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { ClientCache, Lease } from './client-cache.ts';
import { classifyCallError, type CallFailure } from './classify-error.ts';

// Our own deadline fires first; this only keeps the SDK's 60 s default out of the way.
const SDK_TIMEOUT_SLACK_MS = 60_000;

/** One tool call on one endpoint, through the client cache. */
export interface CallTargetOptions {
  url: string;
  target: string;
  tool: string;
  args: Record<string, unknown>;
  meta: Record<string, unknown>;
  /** Epoch ms by which the whole call (connect, ping, retry included) must be done. */
  deadline: number;
  timeoutMs: number;
  log: Logger;
}

export type CallOutcome =
  | { ok: true; result: unknown; fresh: boolean }
  | { ok: false; failure: CallFailure; fresh: boolean; targetError?: unknown };

/** An AbortSignal that fires at the deadline, and whether it did. */
function deadlineSignal(deadline: number) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new Error('route deadline reached')), Math.max(0, deadline - Date.now()));
  return { signal: ctl.signal, timedOut: () => ctl.signal.aborted, clear: () => clearTimeout(timer) };
}

/**
 * Steps 6-8 of a route: borrow a client (cached, pinged when idle, or new),
 * call under the deadline, map the outcome. A 404 "session not found" on a
 * cached client means the request never executed, so it is retried exactly
 * once on a new client; nothing else is ever retried (`trigger` is not idempotent).
 */
export async function callTarget(cache: ClientCache, o: CallTargetOptions): Promise<CallOutcome> {
  let retried = false;
  for (;;) {
    const dl = deadlineSignal(o.deadline);
    let lease: Lease;
    try {
      lease = await cache.acquire(o.url, o.target, dl.signal);
    } catch (err) {
      dl.clear();
      return { ok: false, failure: classifyCallError(err, dl.timedOut(), o.timeoutMs), fresh: true };
    }
    const fresh = lease.fresh || retried;
    try {
      const res = (await lease.client.callTool({ name: o.tool, arguments: o.args, _meta: o.meta }, CallToolResultSchema, {
        signal: dl.signal,
        timeout: o.timeoutMs + SDK_TIMEOUT_SLACK_MS,
      })) as CallToolResult;
      lease.release('keep');
      return { ...mapResult(res, o), fresh };
    } catch (err) {
      const failure = classifyCallError(err, dl.timedOut(), o.timeoutMs);
      lease.release(failure.discard ? 'discard' : 'keep');
      if (failure.sessionNotFound && !lease.fresh && !retried) {
        retried = true;
        o.log.warn(
          { event: 'route.client_stale', target_butler: o.target, tool_name: o.tool, endpoint_url: o.url },
          `cached client for ${o.target} was stale (session not found); reconnecting and retrying once`,
        );
        continue;
      }
      return { ok: false, failure, fresh };
    } finally {
      dl.clear();
    }
  }
}

function mapResult(res: CallToolResult, o: CallTargetOptions): { ok: true; result: unknown } | { ok: false; failure: CallFailure; targetError?: unknown } {
  const body = res.structuredContent ?? jsonText(res);
  if (res.isError) {
    const te = (body && typeof body === 'object' ? body : { message: textOf(res) }) as { error?: unknown; message?: unknown };
    const code = typeof te.error === 'string' ? te.error : 'error';
    const detail = typeof te.message === 'string' ? te.message : textOf(res);
    return {
      ok: false,
      targetError: body ?? { message: detail },
      failure: {
        error: 'tool_error', error_class: 'tool_error', counts: false, discard: false, sessionNotFound: false,
        message: `${o.target} answered ${o.tool} with error ${code}: ${detail}`,
      },
    };
  }
  return { ok: true, result: body ?? { content: res.content } };
}

function textOf(res: CallToolResult): string {
  return (res.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** The JSON in the text block, for servers that send no structured content. */
function jsonText(res: CallToolResult): unknown {
  const text = textOf(res).trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
