import type { ToolDef } from '../tool.ts';
import { nextCronOccurrence } from './cron.ts';
import { scheduleCreate, scheduleDelete, scheduleList, scheduleUpdate } from './schedule-tools.ts';
import { call, expect, failure, makeCtx, test } from '../../testing/tool-context.ts';

const create = scheduleCreate as unknown as ToolDef;
const list = scheduleList as unknown as ToolDef;
const update = scheduleUpdate as unknown as ToolDef;
const remove = scheduleDelete as unknown as ToolDef;

test('nextCronOccurrence is UTC, strictly after, and refuses non-5-field crons', () => {
  expect(nextCronOccurrence('0 9 * * *', new Date('2026-03-01T09:00:00Z')).toISOString()).toBe('2026-03-02T09:00:00.000Z');
  expect(nextCronOccurrence('0 9 * * *', new Date('2026-03-01T08:59:59.999Z')).toISOString()).toBe('2026-03-01T09:00:00.000Z');
  expect(nextCronOccurrence('*/10 * * * *', new Date('2026-03-01T10:05:00Z')).toISOString()).toBe('2026-03-01T10:10:00.000Z');
  expect(() => nextCronOccurrence('0 0 9 * * *', new Date())).toThrow(/5 space-separated fields/);
  expect(() => nextCronOccurrence('@daily', new Date())).toThrow(/5 space-separated fields/);
});

test('schedule_create stores a runtime task due at the next occurrence', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const before = new Date();
  const { task } = await call(create, { name: 'six-hourly', cron: '0 */6 * * *', prompt: 'Log weight' }, ctx);
  expect(task).toMatchObject({ name: 'six-hourly', cron: '0 */6 * * *', enabled: true, source: 'runtime', status: 'pending', target_butler: null });
  expect(task.due_at).toBe(nextCronOccurrence('0 */6 * * *', before).toISOString());
  expect((await call(list, {}, ctx)).tasks.map((t: { name: string }) => t.name)).toEqual(['six-hourly']);
});

test('schedule_create errors: schedule_exists, invalid_cron, target_requires_heartbeat', async ({ db }) => {
  const { ctx } = makeCtx(db, { butler: 'health' });
  await call(create, { name: 'dup', cron: '0 9 * * *', prompt: 'x' }, ctx);
  expect((await failure(() => call(create, { name: 'dup', cron: '0 10 * * *', prompt: 'y' }, ctx))).code).toBe('schedule_exists');
  const bad = await failure(() => call(create, { name: 'bad', cron: '61 * * * *', prompt: 'x' }, ctx));
  expect(bad.code).toBe('invalid_cron');
  expect(bad.message).toContain('61 * * * *');
  expect((await failure(() => call(create, { name: 't', cron: '0 9 * * *', prompt: 'x', target: 'health' }, ctx))).code).toBe(
    'target_requires_heartbeat',
  );
  const { rows } = await db.query('SELECT name FROM scheduled_tasks ORDER BY name');
  expect(rows.map((r) => r.name)).toEqual(['dup']);
  const hb = makeCtx(db, { butler: 'heartbeat' }).ctx;
  const { task } = await call(create, { name: 'hb', cron: '*/10 * * * *', prompt: 'review', target: '*' }, hb);
  expect(task.target_butler).toBe('*');
});

test('concurrent creates of one name give one row and schedule_exists for the rest', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const outcomes = await Promise.allSettled(
    Array.from({ length: 5 }, () => call(create, { name: 'race', cron: '0 9 * * *', prompt: 'x' }, ctx)),
  );
  expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  for (const o of outcomes) if (o.status === 'rejected') expect(o.reason.code).toBe('schedule_exists');
});

test('schedule_update recomputes due_at on a cron change and on re-enable only', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const { task } = await call(create, { name: 'u', cron: '0 */6 * * *', prompt: 'x' }, ctx);
  await db.query(`UPDATE scheduled_tasks SET due_at = '2000-01-01T00:00:00Z' WHERE id = $1`, [task.id]);

  const renamed = (await call(update, { name: 'u', prompt: 'reworded' }, ctx)).task;
  expect(renamed.prompt).toBe('reworded');
  expect(renamed.due_at).toBe('2000-01-01T00:00:00.000Z');

  const before = new Date();
  const recron = (await call(update, { name: 'u', cron: '30 */2 * * *' }, ctx)).task;
  expect(recron.cron).toBe('30 */2 * * *');
  expect(recron.due_at).toBe(nextCronOccurrence('30 */2 * * *', before).toISOString());

  const disabled = (await call(update, { task_id: task.id, enabled: false }, ctx)).task;
  expect(disabled.enabled).toBe(false);
  await db.query(`UPDATE scheduled_tasks SET due_at = '2000-01-01T00:00:00Z' WHERE id = $1`, [task.id]);
  const stillDisabled = (await call(update, { task_id: task.id, enabled: false }, ctx)).task;
  expect(stillDisabled.due_at).toBe('2000-01-01T00:00:00.000Z');
  const reEnabled = (await call(update, { task_id: task.id, enabled: true }, ctx)).task;
  expect(Date.parse(reEnabled.due_at)).toBeGreaterThan(Date.now());
});

test('schedule_update and schedule_delete need exactly one of task_id / name; not_found when absent', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const { task } = await call(create, { name: 'd', cron: '0 9 * * *', prompt: 'x' }, ctx);
  expect((await failure(() => call(update, { task_id: task.id, name: 'd', enabled: false }, ctx))).code).toBe('invalid_arguments');
  expect((await failure(() => call(update, { enabled: false }, ctx))).code).toBe('invalid_arguments');
  expect((await failure(() => call(remove, {}, ctx))).code).toBe('invalid_arguments');
  expect((await failure(() => call(update, { name: 'nope', enabled: false }, ctx))).code).toBe('not_found');
  expect((await failure(() => call(update, { name: 'd', cron: '0 9 * *' }, ctx))).code).toBe('invalid_cron');
  expect(await call(remove, { name: 'd' }, ctx)).toEqual({ deleted: true });
  expect((await call(list, {}, ctx)).tasks).toEqual([]);
  expect((await failure(() => call(remove, { name: 'd' }, ctx))).code).toBe('not_found');
  expect((await failure(() => call(remove, { task_id: task.id }, ctx))).code).toBe('not_found');
});

test('deleting a task keeps its sessions with scheduled_task_id set to null', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const { task } = await call(create, { name: 'fk', cron: '0 9 * * *', prompt: 'x' }, ctx);
  const { rows } = await db.query(
    `INSERT INTO sessions (butler_name, trigger_source, prompt, model, status, scheduled_task_id)
     VALUES ('health', 'scheduled', 'x', 'm', 'completed', $1) RETURNING session_id`,
    [task.id],
  );
  await call(remove, { task_id: task.id }, ctx);
  const after = await db.query('SELECT scheduled_task_id FROM sessions WHERE session_id = $1', [rows[0].session_id]);
  expect(after.rows[0].scheduled_task_id).toBeNull();
});
