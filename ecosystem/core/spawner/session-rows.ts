import type { Pool } from 'pg';

/** The fields of the first write (status `running`). */
export interface SessionStart {
  sessionId: string;
  butler: string;
  triggerSource: string;
  kind: string;
  prompt: string;
  model: string;
  traceId: string;
  requestId: string | null;
  subrequestId: string | null;
  tag: string | null;
  scheduledTaskId: string | null;
  runtimePid: number | null;
}

/** The fields of the one completion update. */
export interface SessionEnd {
  status: 'completed' | 'error';
  durationMs: number;
  lockWaitMs: number;
  toolCalls: unknown[];
  output: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Input tokens written to / read from the prompt cache (not part of inputTokens). */
  cacheCreationTokens: number | null;
  cacheReadTokens: number | null;
  apiRequests: number | null;
  costUsd: number | null;
  error: string | null;
}

/** Write 1 of 2 (CON-41). */
export async function insertSessionRow(db: Pool, s: SessionStart): Promise<void> {
  await db.query(
    `INSERT INTO sessions (session_id, butler_name, trigger_source, kind, prompt, model, status, created_at,
                           trace_id, request_id, subrequest_id, tag, scheduled_task_id, runtime_pid)
     VALUES ($1, $2, $3, $4, $5, $6, 'running', now(), $7, $8, $9, $10, $11, $12)`,
    [s.sessionId, s.butler, s.triggerSource, s.kind, s.prompt, s.model, s.traceId, s.requestId, s.subrequestId, s.tag, s.scheduledTaskId, s.runtimePid],
  );
}

/**
 * Write 2 of 2. Guarded by `status = 'running'` so it can never overwrite a
 * row twice; returns false when the row was not running any more.
 */
export async function completeSessionRow(db: Pool, sessionId: string, e: SessionEnd): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE sessions
        SET status = $2, completed_at = now(), duration_ms = $3, lock_wait_ms = $4, tool_calls = $5::jsonb,
            output = $6, input_tokens = $7, output_tokens = $8, api_requests = $9, cost_usd = $10, error = $11,
            cache_creation_input_tokens = $12, cache_read_input_tokens = $13
      WHERE session_id = $1 AND status = 'running'`,
    [
      sessionId, e.status, e.durationMs, e.lockWaitMs, JSON.stringify(e.toolCalls), e.output, e.inputTokens, e.outputTokens, e.apiRequests,
      e.costUsd, e.error, e.cacheCreationTokens, e.cacheReadTokens,
    ],
  );
  return (rowCount ?? 0) > 0;
}
