import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { nextCronOccurrence } from './cron.ts';

/**
 * Startup recovery (docs/ecosystem.md §10.3): rows of this butler left `running` by a
 * crash become `error` / `interrupted` with completed_at = now. Scheduled tasks a
 * crash left `running` would never be claimed again, so they become `error` and
 * are re-armed like any failed run. Call before the server listens.
 * Returns the number of recovered sessions.
 */
export async function recoverInterruptedSessions(db: Pool, butler: string, log: Logger): Promise<number> {
  const { rows } = await db.query(
    `UPDATE sessions
        SET status = 'error', error = 'interrupted', completed_at = now()
      WHERE butler_name = $1 AND status = 'running'
      RETURNING session_id, created_at, trigger_source, tag, request_id`,
    [butler],
  );
  for (const r of rows) {
    log.warn(
      {
        event: 'spawner.session_recovered',
        butler,
        session_id: r.session_id,
        trigger_source: r.trigger_source,
        tag: r.tag ?? undefined,
        request_id: r.request_id ?? undefined,
        started_at: r.created_at instanceof Date ? r.created_at.toISOString() : r.created_at,
      },
      'session left running by a previous process marked error (interrupted)',
    );
  }
  await recoverRunningTasks(db, butler, log);
  return rows.length;
}

async function recoverRunningTasks(db: Pool, butler: string, log: Logger): Promise<void> {
  const { rows } = await db.query(`SELECT id, name, cron FROM scheduled_tasks WHERE status = 'running'`);
  const now = new Date();
  for (const t of rows) {
    let dueAt: Date | null = null;
    try {
      dueAt = nextCronOccurrence(t.cron, now);
    } catch {
      // A corrupt cron keeps its old due_at; the tick reports it when it runs.
    }
    await db.query(
      `UPDATE scheduled_tasks
          SET status = 'error', last_error = 'interrupted', due_at = COALESCE($2, due_at), updated_at = now()
        WHERE id = $1 AND status = 'running'`,
      [t.id, dueAt],
    );
    log.warn({ event: 'scheduler.task_recovered', butler, task_id: t.id, name: t.name }, 'scheduled task left running by a previous process marked error (interrupted)');
  }
}
