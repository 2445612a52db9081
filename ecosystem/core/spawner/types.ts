import type { SpawnerResult } from '../../../contracts/spawner-result.ts';

/** One request for an LLM session on this butler. */
export interface SpawnRequest {
  prompt: string;
  kind?: 'task' | 'classification' | 'synthesis';
  triggerSource: 'external' | 'heartbeat' | 'scheduled' | 'test';
  requestId?: string | null;
  subrequestId?: string | null;
  tag?: string | null;
  scheduledTaskId?: string | null;
  /** Session timeout; defaults to `runtime.timeout_s`. */
  timeoutMs?: number;
  /** The caller's trace context; `spawner.session` is its child and `sessions.trace_id` its trace. */
  traceparent?: string;
  tracestate?: string;
}

/** What `status.spawner` shows. */
export interface SpawnerStatus {
  busy: boolean;
  queue_depth: number;
  current_session_id: string | null;
  model: string;
  mode: 'double' | 'live';
}

/**
 * `ctx.services.spawner`: runs sessions one at a time in arrival order.
 * `run` resolves with a SpawnerResult for every session outcome (including
 * `lock_wait_timeout`); it rejects with a ToolError only when no session
 * could be attempted (runtime bundle missing, database down, shutting down).
 */
export interface SpawnerService {
  run(req: SpawnRequest): Promise<SpawnerResult>;
  status(): SpawnerStatus;
  /** Waits up to `ms` for the running and queued sessions (the SIGTERM grace). */
  drain(ms: number): Promise<void>;
}

export type { SpawnerResult };
