import { priceFor, priceTokens } from '../../../contracts/prices.ts';
import type { SpawnerResult } from '../../../contracts/spawner-result.ts';
import type { Redactor } from '../logging/redactor.ts';
import type { ChildOutcome } from './child-process.ts';
import type { SessionEnd } from './session-rows.ts';
import type { SensitivityMap } from './sensitivity.ts';

/** A finished session: the row update, the SpawnerResult, and detail for the log. */
export interface SessionVerdict {
  end: SessionEnd;
  result: SpawnerResult;
  /** Why it failed, for `spawner.session_failed` (never stored). */
  detail: string | null;
}

/**
 * Decides success exactly as docs/ecosystem.md §10.4 says: the child exited cleanly, reported
 * no error and produced non-empty output. A kill by the spawner wins over
 * whatever the child managed to write.
 */
export function judgeSession(
  o: ChildOutcome,
  ctx: { sessionId: string; model: string; lockWaitMs: number; redactor: Redactor; sensitivity: SensitivityMap },
): SessionVerdict {
  const r = o.result;
  const output = ctx.redactor.redact(r?.output ?? '');
  let error: string | null = null;
  let detail: string | null = null;
  if (o.killed === 'timeout') error = 'timeout';
  else if (o.killed === 'shutdown') error = 'interrupted';
  else if (!r) [error, detail] = ['runtime_crashed', `${o.problem}; exit ${o.exitCode ?? o.signal}; stderr: ${o.stderrTail.slice(-800)}`];
  else if (r.error) [error, detail] = [r.error, r.error_message ?? null];
  else if (o.exitCode !== 0) [error, detail] = ['runtime_crashed', `exit ${o.exitCode ?? o.signal} without an error in the result`];
  else if (output.trim() === '') error = 'empty_output';
  if (error === 'timeout' || error === 'interrupted') detail = `killed by the spawner (${error}); exit ${o.exitCode ?? o.signal}`;

  const toolCalls = ctx.sensitivity.redactCalls(r?.tool_calls ?? [], ctx.redactor);
  const inputTokens = count(r?.usage?.input_tokens);
  const outputTokens = count(r?.usage?.output_tokens);
  // A runtime that reports no cache counters cached nothing: zero, once the API reported usage at all.
  const cacheCreationTokens = inputTokens === null ? null : (count(r?.usage?.cache_creation_input_tokens) ?? 0);
  const cacheReadTokens = inputTokens === null ? null : (count(r?.usage?.cache_read_input_tokens) ?? 0);
  const cost =
    inputTokens !== null && outputTokens !== null
      ? priceTokens(priceFor(ctx.model).price, inputTokens, outputTokens, { cacheCreationTokens: cacheCreationTokens ?? 0, cacheReadTokens: cacheReadTokens ?? 0 })
      : null;
  const success = error === null;
  return {
    end: {
      status: success ? 'completed' : 'error',
      durationMs: o.wallMs,
      lockWaitMs: ctx.lockWaitMs,
      toolCalls,
      output: output === '' ? null : output,
      inputTokens,
      outputTokens,
      cacheCreationTokens,
      cacheReadTokens,
      apiRequests: r ? count(r.api_requests) : null,
      costUsd: cost,
      error,
    },
    result: {
      output: output === '' ? null : output,
      success,
      tool_calls: toolCalls,
      error,
      duration_ms: o.wallMs,
      model: ctx.model,
      session_id: ctx.sessionId,
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      cache_creation_input_tokens: cacheCreationTokens,
      cache_read_input_tokens: cacheReadTokens,
      lock_wait_ms: ctx.lockWaitMs,
    },
    detail: detail === null ? null : ctx.redactor.redact(detail),
  };
}

/** The result of a trigger that never got the lock: no session row, null session id. */
export function lockTimeoutResult(model: string, waitedMs: number): SpawnerResult {
  return {
    output: null, success: false, tool_calls: [], error: 'lock_wait_timeout', duration_ms: 0, model,
    session_id: null, input_tokens: null, output_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null, lock_wait_ms: waitedMs,
  };
}

function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}
