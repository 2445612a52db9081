import { Cron } from 'croner';
import type pg from 'pg';
import { results } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * The next occurrence of a 5-field UTC cron strictly after `after`, computed
 * with croner: an implementation independent of the ecosystem's own.
 */
export function nextOccurrence(cron: string, after: Date): Date {
  const next = new Cron(cron, { timezone: 'UTC', paused: true }).nextRun(after);
  if (!next) throw new Error(`cron ${cron} has no occurrence after ${after.toISOString()}`);
  return next;
}

/** `tick` on a butler: waits for the sessions it started. */
export async function tick(client: McpHandle, meta?: Record<string, string>) {
  return client.call('tick', {}, results.TickResult, { timeoutMs: 230_000, meta });
}

export { spawnerStatus, until } from '../../fixtures/sessions.ts';

export interface SessionRow {
  session_id: string;
  status: string;
  trigger_source: string;
  tag: string | null;
  scheduled_task_id: string | null;
  created_at: Date;
  completed_at: Date | null;
  duration_ms: number | null;
  trace_id: string | null;
  error: string | null;
}

/** Sessions of one scheduled task, oldest first. */
export async function taskSessions(db: pg.Pool, taskId: string): Promise<SessionRow[]> {
  return (await db.query<SessionRow>('select * from sessions where scheduled_task_id = $1 order by created_at', [taskId])).rows;
}
