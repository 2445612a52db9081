import { z } from 'zod';
import type { Pool, PoolClient } from 'pg';
import { defineTool, ToolError, type ToolDef } from '../tool.ts';
import { assertCron, nextCronOccurrence } from './cron.ts';
import { plainRow } from './rows.ts';

/** Only the heartbeat routes tasks to other butlers (docs/ecosystem.md §13). */
export const HEARTBEAT_BUTLER = 'heartbeat';

const TASK_COLUMNS = `id, name, cron, prompt, enabled, source, target_butler, status, due_at,
  last_run_at, last_session_id, last_error, created_at, updated_at`;

const taskIdField = z.string().uuid().optional().describe('The id of the scheduled task (give this or name, not both)');
const taskNameField = z.string().min(1).max(200).optional().describe('The name of the scheduled task (give this or task_id, not both)');

/** Exactly one of task_id / name (SCH-16); a raw zod shape cannot say that, so it is checked here. */
function taskSelector(args: { task_id?: string; name?: string }): { column: 'id' | 'name'; value: string } {
  const hasId = args.task_id !== undefined;
  const hasName = args.name !== undefined;
  if (hasId === hasName) {
    throw new ToolError(
      'invalid_arguments',
      `give exactly one of task_id or name to select the scheduled task, got ${hasId ? 'both' : 'neither'}`,
      { fields: ['task_id', 'name'] },
    );
  }
  return hasId ? { column: 'id', value: args.task_id as string } : { column: 'name', value: args.name as string };
}

function notFound(sel: { column: string; value: string }): ToolError {
  const label = sel.column === 'id' ? 'task_id' : 'name';
  return new ToolError('not_found', `no scheduled task with ${label} "${sel.value}"; call schedule_list to see the tasks`, {
    [label]: sel.value,
  });
}

export async function listTasks(db: Pool | PoolClient): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query(`SELECT ${TASK_COLUMNS} FROM scheduled_tasks ORDER BY name COLLATE "C"`);
  return rows.map((r) => plainRow(r));
}

export const scheduleCreate = defineTool({
  name: 'schedule_create',
  // Changing the butler's own schedule makes it spawn sessions: a session gets it only where runtime.session_tools says so.
  session: 'opt_in',
  description:
    'Create a recurring scheduled task: at each time matching the cron expression (UTC) this butler runs the prompt in a new session.\n' +
    'Use when:\n- the user asks for something to happen regularly (every day, every Monday, every 6 hours)\n' +
    '- you need to schedule a recurring task',
  input: {
    name: z.string().min(1).max(200).describe('A unique short name for the task, e.g. daily-summary'),
    cron: z.string().min(1).max(200).describe('When to run, as a 5-field cron expression in UTC, e.g. "0 9 * * *" for every day at 09:00'),
    prompt: z.string().min(1).describe('The instruction the butler runs each time the task is due'),
    enabled: z.boolean().default(true).describe('Whether the task runs when due'),
    target: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Heartbeat butler only: the butler to route the prompt to, or * for every active butler'),
  },
  async handler({ name, cron, prompt, enabled, target }, ctx) {
    assertCron(cron);
    if (target !== undefined && ctx.butler !== HEARTBEAT_BUTLER) {
      throw new ToolError(
        'target_requires_heartbeat',
        `target "${target}" is only allowed on the ${HEARTBEAT_BUTLER} butler, not on ${ctx.butler}; leave target out to run the task here`,
        { target, butler: ctx.butler },
      );
    }
    const dueAt = nextCronOccurrence(cron, new Date());
    // ON CONFLICT DO NOTHING makes a racing duplicate a schedule_exists error, never a second row.
    const { rows } = await ctx.db.query(
      `INSERT INTO scheduled_tasks (name, cron, prompt, enabled, source, target_butler, status, due_at)
       VALUES ($1, $2, $3, $4, 'runtime', $5, 'pending', $6)
       ON CONFLICT (name) DO NOTHING
       RETURNING ${TASK_COLUMNS}`,
      [name, cron.trim(), prompt, enabled, target ?? null, dueAt],
    );
    if (rows.length === 0) {
      throw new ToolError('schedule_exists', `a scheduled task named "${name}" already exists; pick another name or use schedule_update`, {
        name,
      });
    }
    return { task: plainRow(rows[0]) };
  },
});

export const scheduleList = defineTool({
  name: 'schedule_list',
  description:
    "List this butler's scheduled tasks with their cron, prompt, status and next due time.\n" +
    'Use when:\n- the user asks which tasks are scheduled\n- you need a task id or name before updating or deleting a schedule',
  input: {},
  async handler(_args, ctx) {
    return { tasks: await listTasks(ctx.db) };
  },
});

export const scheduleUpdate = defineTool({
  name: 'schedule_update',
  // Changing the butler's own schedule makes it spawn sessions: a session gets it only where runtime.session_tools says so.
  session: 'opt_in',
  description:
    'Change the cron, prompt or enabled flag of an existing scheduled task, selected by task_id or by name.\n' +
    'Use when:\n- the user asks to change when a scheduled task runs\n- you need to pause, resume or reword a scheduled task',
  input: {
    task_id: taskIdField,
    name: taskNameField,
    cron: z.string().min(1).max(200).optional().describe('New 5-field cron expression in UTC'),
    prompt: z.string().min(1).optional().describe('New instruction to run'),
    enabled: z.boolean().optional().describe('Whether the task runs when due'),
  },
  async handler(args, ctx) {
    const sel = taskSelector(args);
    if (args.cron !== undefined) assertCron(args.cron);
    const client = await ctx.db.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(
        `SELECT cron, enabled FROM scheduled_tasks WHERE ${sel.column} = $1 FOR UPDATE`,
        [sel.value],
      );
      if (rows.length === 0) throw notFound(sel);
      const cron = args.cron?.trim() ?? rows[0].cron;
      const enabled = args.enabled ?? rows[0].enabled;
      const cronChanged = cron !== rows[0].cron;
      const reEnabled = enabled && !rows[0].enabled;
      const dueAt = cronChanged || reEnabled ? nextCronOccurrence(cron, new Date()) : null;
      const updated = await client.query(
        `UPDATE scheduled_tasks
            SET cron = $2, prompt = COALESCE($3, prompt), enabled = $4,
                due_at = COALESCE($5, due_at), updated_at = now()
          WHERE ${sel.column} = $1
          RETURNING ${TASK_COLUMNS}`,
        [sel.value, cron, args.prompt ?? null, enabled, dueAt],
      );
      await client.query('COMMIT');
      return { task: plainRow(updated.rows[0]) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  },
});

export const scheduleDelete = defineTool({
  name: 'schedule_delete',
  // Changing the butler's own schedule makes it spawn sessions: a session gets it only where runtime.session_tools says so.
  session: 'opt_in',
  description:
    'Delete a scheduled task, selected by task_id or by name; past sessions of the task are kept.\n' +
    'Use when:\n- the user asks to stop or remove a recurring task for good',
  input: { task_id: taskIdField, name: taskNameField },
  async handler(args, ctx) {
    const sel = taskSelector(args);
    const { rowCount } = await ctx.db.query(`DELETE FROM scheduled_tasks WHERE ${sel.column} = $1`, [sel.value]);
    if (!rowCount) throw notFound(sel);
    return { deleted: true };
  },
});

export const scheduleTools: ToolDef[] = [scheduleCreate, scheduleList, scheduleUpdate, scheduleDelete] as unknown as ToolDef[];
