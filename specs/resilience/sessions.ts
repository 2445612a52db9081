import type pg from 'pg';
import { SessionRow, SpawnerResult } from '../../contracts/index.ts';
import type { LogLine } from '../../fixtures/logs.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * Helpers of the resilience session specs (sessions.spec.ts, classification.spec.ts):
 * a trigger, the session row by id, the serial lock as `status` reports it,
 * process liveness and the error events a failed session is expected to log.
 */

/** `trigger` on a butler with the test's tag; the result is checked against the contract. */
export function trigger(client: McpHandle, prompt: string, tag: string, extra: { timeout_ms?: number; trigger_source?: string } = {}) {
  return client.call('trigger', { prompt, trigger_source: 'external', tag, ...extra }, SpawnerResult, { timeoutMs: 200_000 });
}

/** The session row by its id (never "the latest row"). */
export async function sessionById(db: pg.Pool, id: string): Promise<SessionRow> {
  const { rows } = await db.query('select * from sessions where session_id = $1', [id]);
  if (rows.length !== 1) throw new Error(`expected one session row for ${id}, found ${rows.length}`);
  return SessionRow.parse(rows[0]);
}

/** Every session row carrying the tag, oldest first. */
export async function sessionsByTag(db: pg.Pool, tag: string): Promise<SessionRow[]> {
  const { rows } = await db.query('select * from sessions where tag = $1 order by created_at', [tag]);
  return rows.map((r) => SessionRow.parse(r));
}

export { spawnerStatus, until } from '../../fixtures/spawner-status.ts';

/** `process.kill(pid, 0)`: false exactly when the process is gone (ESRCH). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** The error-level lines a session that fails on purpose writes: the spawner's verdict and, for API errors, the runtime's. */
export const failedSession =
  (butler: string, tags: string[]) =>
  (l: LogLine): boolean =>
    l.butler === butler && tags.includes(String(l.tag)) && (l.event === 'spawner.session_failed' || l.event === 'runtime.llm_failed');
