import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { cronProblem, nextCronOccurrence } from './cron.ts';
import { HEARTBEAT_BUTLER } from './schedule-tools.ts';

/** One `[[schedule]]` entry of butler.toml. */
export interface TomlSchedule {
  name: string;
  cron: string;
  prompt: string;
  enabled?: boolean;
  target?: string;
}

export interface SyncResult {
  created: number;
  updated: number;
  deleted: number;
}

function validate(schedules: TomlSchedule[], butler: string): void {
  const seen = new Set<string>();
  for (const s of schedules) {
    const where = `butler.toml (roster/${butler}): [[schedule]] "${s.name}"`;
    if (seen.has(s.name)) throw new Error(`${where} is declared twice; schedule names must be unique`);
    seen.add(s.name);
    const problem = cronProblem(s.cron);
    if (problem !== null) throw new Error(`${where}: cron "${s.cron}" is invalid (${problem}); use a UTC 5-field cron such as "0 9 * * *"`);
    if (s.target !== undefined && butler !== HEARTBEAT_BUTLER) {
      throw new Error(`${where}: key target is only allowed on the ${HEARTBEAT_BUTLER} butler; remove it`);
    }
  }
}

/**
 * Upserts the TOML schedules by name (source `toml`) and deletes TOML rows whose
 * entry disappeared; runtime rows are never touched unless a TOML entry claims
 * their name. Idempotent: a restart with the same file changes nothing.
 */
export async function syncSchedules(
  db: Pool,
  schedules: TomlSchedule[],
  opts: { butler: string; log: Logger },
): Promise<SyncResult> {
  validate(schedules, opts.butler);
  const now = new Date();
  const result: SyncResult = { created: 0, updated: 0, deleted: 0 };
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    for (const s of schedules) {
      const cron = s.cron.trim();
      // due_at moves only for a new row, a changed cron or a re-enabled task, so restarts keep it.
      const { rows } = await client.query(
        `INSERT INTO scheduled_tasks AS t (name, cron, prompt, enabled, source, target_butler, status, due_at)
         VALUES ($1, $2, $3, $4, 'toml', $5, 'pending', $6)
         ON CONFLICT (name) DO UPDATE
           SET cron = EXCLUDED.cron, prompt = EXCLUDED.prompt, enabled = EXCLUDED.enabled,
               source = 'toml', target_butler = EXCLUDED.target_butler,
               due_at = CASE WHEN t.cron <> EXCLUDED.cron OR (EXCLUDED.enabled AND NOT t.enabled)
                             THEN EXCLUDED.due_at ELSE t.due_at END,
               updated_at = now()
           WHERE (t.cron, t.prompt, t.enabled, t.source, t.target_butler)
                 IS DISTINCT FROM (EXCLUDED.cron, EXCLUDED.prompt, EXCLUDED.enabled, 'toml', EXCLUDED.target_butler)
         RETURNING (xmax = 0) AS created`,
        [s.name, cron, s.prompt, s.enabled ?? true, s.target ?? null, nextCronOccurrence(cron, now)],
      );
      if (rows.length === 0) continue;
      if (rows[0].created) result.created++;
      else result.updated++;
    }
    const removed = await client.query(
      `DELETE FROM scheduled_tasks WHERE source = 'toml' AND NOT (name = ANY($1::text[]))`,
      [schedules.map((s) => s.name)],
    );
    result.deleted = removed.rowCount ?? 0;
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  opts.log.info({ event: 'scheduler.synced', butler: opts.butler, ...result }, 'TOML schedules synced');
  return result;
}
