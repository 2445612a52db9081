import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { nextCronOccurrence } from '../tools/cron.ts';
import type { RoutingTaskOutcome, TargetOutcome } from './heartbeat.ts';
import type { SpawnerService } from './types.ts';

/** A claimed task. */
export interface DueTask {
  id: string;
  name: string;
  cron: string;
  prompt: string;
  target_butler: string | null;
}

/** One entry of `tick`'s `ran` list. */
export interface TickRun {
  task_id: string;
  name: string;
  run_id: string;
  status: 'completed' | 'error';
  session_id?: string | null;
  targets?: TargetOutcome[];
}

export interface TickResult {
  ran: TickRun[];
  skipped_running: string[];
}

export interface TickDeps {
  db: Pool;
  spawner: SpawnerService;
  log: Logger;
  traceparent?: string;
  /** Runs a task with a target (heartbeat only); absent elsewhere. */
  route?: (task: DueTask, runId: string) => Promise<RoutingTaskOutcome>;
}

/**
 * The scheduler tick (docs/ecosystem.md §12): claim every due task with a
 * conditional update (overlapping ticks cannot both win), run the claimed
 * tasks one after another, then record the outcome and re-arm `due_at` —
 * on error too. Returns when its sessions have finished.
 */
export async function runTick(d: TickDeps): Promise<TickResult> {
  const { rows } = await d.db.query<DueTask & { status: string }>(
    `SELECT id, name, cron, prompt, target_butler, status FROM scheduled_tasks
      WHERE enabled AND due_at <= now() ORDER BY due_at, name COLLATE "C"`,
  );
  const skipped = rows.filter((r) => r.status === 'running').map((r) => r.name);
  const claimed: DueTask[] = [];
  for (const r of rows.filter((t) => t.status !== 'running')) {
    const c = await d.db.query<DueTask>(
      `UPDATE scheduled_tasks SET status = 'running', updated_at = now()
        WHERE id = $1 AND enabled AND due_at <= now() AND status <> 'running'
        RETURNING id, name, cron, prompt, target_butler`,
      [r.id],
    );
    if (c.rows[0]) claimed.push(c.rows[0]);
    else skipped.push(r.name);
  }
  const ran: TickRun[] = [];
  for (const task of claimed) ran.push(await runTask(task, d));
  return { ran, skipped_running: skipped };
}

async function runTask(task: DueTask, d: TickDeps): Promise<TickRun> {
  const runId = randomUUID();
  const log = d.log.child({ task_id: task.id, task: task.name, run_id: runId });
  let run: TickRun = { task_id: task.id, name: task.name, run_id: runId, status: 'error' };
  let lastError: string | null = null;
  let sessionId: string | null = null;
  try {
    if (task.target_butler) {
      if (!d.route) throw new Error(`task ${task.name} has target "${task.target_butler}" but only the heartbeat routes tasks`);
      const out = await d.route(task, runId);
      run = { ...run, status: out.status, targets: out.targets };
      lastError = out.lastError;
    } else {
      const res = await d.spawner.run({
        prompt: task.prompt, triggerSource: 'scheduled', tag: `sched:${runId}`, scheduledTaskId: task.id, traceparent: d.traceparent,
      });
      sessionId = res.session_id;
      run = { ...run, status: res.success ? 'completed' : 'error', session_id: res.session_id };
      lastError = res.error;
    }
  } catch (err) {
    lastError = (err as Error).message;
    log.error({ event: 'scheduler.task_failed', error: lastError }, `scheduled task ${task.name} failed to run`);
  } finally {
    await finishTask(d.db, task, run.status, sessionId, lastError, log);
  }
  log.info({ event: 'scheduler.task_ran', status: run.status, session_id: sessionId ?? undefined, error: lastError ?? undefined }, `scheduled task ${task.name} ${run.status}`);
  return run;
}

async function finishTask(db: Pool, task: DueTask, status: string, sessionId: string | null, lastError: string | null, log: Logger): Promise<void> {
  const now = new Date();
  let dueAt: Date | null = null;
  try {
    dueAt = nextCronOccurrence(task.cron, now);
  } catch (err) {
    log.error({ event: 'scheduler.bad_cron', cron: task.cron, error: (err as Error).message }, `task ${task.name} has an invalid cron; due_at left as it was`);
  }
  await db
    .query(
      `UPDATE scheduled_tasks
          SET status = $2, last_run_at = $3, last_session_id = $4, last_error = $5, due_at = COALESCE($6, due_at), updated_at = now()
        WHERE id = $1`,
      [task.id, status, now, sessionId, lastError, dueAt],
    )
    .catch((err: unknown) =>
      log.error({ event: 'scheduler.task_update_failed', error: (err as Error).message }, `cannot record the run of ${task.name}; it stays running until the next startup`),
    );
}
