import type { FanoutSubrequestPlan, SpawnerResult } from '@butlers/framework/contracts';
import type { RouteOutcome } from '@butlers/framework';
import type { RunResult } from './fanout-executor.ts';

/** The `trigger` arguments of one subrequest (docs/ecosystem.md §8.3); absent ids are left out, never null. */
export function triggerArgs(sub: FanoutSubrequestPlan, requestId: string | undefined, tag: string | undefined): Record<string, unknown> {
  return {
    prompt: sub.prompt,
    trigger_source: 'external',
    ...(requestId ? { request_id: requestId } : {}),
    subrequest_id: sub.subrequest_id,
    ...(tag ? { tag } : {}),
  };
}

/**
 * A routed `trigger` as a subrequest outcome: route failures keep their
 * status; a session that ran but failed is `error` with the session's error text.
 */
export function runResultOf(r: RouteOutcome): RunResult {
  if (!r.ok) {
    const status = r.error === 'target_unavailable' || r.error === 'target_quarantined' || r.error === 'timeout' ? r.error : 'error';
    return { status, error: r.error, error_class: r.error_class, error_message: r.message };
  }
  const s = r.result as Partial<SpawnerResult> | null;
  if (!s || typeof s !== 'object' || typeof s.success !== 'boolean') {
    return { status: 'error', error: 'malformed_response', error_class: 'malformed_response', error_message: 'trigger answered without a SpawnerResult' };
  }
  if (s.success) return { status: 'success', session_id: s.session_id ?? null, output: s.output ?? '' };
  return { status: 'error', error: s.error ?? 'session_failed', error_class: 'session_error', error_message: s.error ?? null, session_id: s.session_id ?? null };
}
