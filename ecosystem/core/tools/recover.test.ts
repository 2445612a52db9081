import { recoverInterruptedSessions } from './recover.ts';
import { expect, insertSession, makeCtx, test } from '../../testing/tool-context.ts';

test('running rows of this butler become error/interrupted with a warn log each; others are untouched', async ({ db }) => {
  const { log, logs } = makeCtx(db);
  const a = await insertSession(db, { status: 'running', tag: 't1' });
  const b = await insertSession(db, { status: 'running' });
  const done = await insertSession(db, { status: 'completed', completed_at: new Date() });
  const foreign = await insertSession(db, { status: 'running', butler_name: 'general' });
  const before = Date.now();

  expect(await recoverInterruptedSessions(db, 'health', log)).toBe(2);

  const { rows } = await db.query('SELECT session_id, status, error, completed_at FROM sessions');
  const byId = Object.fromEntries(rows.map((r) => [r.session_id, r]));
  for (const id of [a, b]) {
    expect(byId[id]).toMatchObject({ status: 'error', error: 'interrupted' });
    expect(byId[id].completed_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
  }
  expect(byId[done]).toMatchObject({ status: 'completed', error: null });
  expect(byId[foreign]).toMatchObject({ status: 'running', completed_at: null });
  const recovered = logs.filter((l) => l.event === 'spawner.session_recovered');
  expect(recovered.map((l) => l.session_id).sort()).toEqual([a, b].sort());
  expect(recovered.every((l) => l.level === 40)).toBe(true);

  expect(await recoverInterruptedSessions(db, 'health', log)).toBe(0);
});

test('a scheduled task left running is released as error and re-armed', async ({ db }) => {
  const { log, logs } = makeCtx(db);
  await db.query(
    `INSERT INTO scheduled_tasks (name, cron, prompt, source, status, due_at) VALUES ('stuck', '0 9 * * *', 'p', 'toml', 'running', '2000-01-01Z')`,
  );
  await recoverInterruptedSessions(db, 'health', log);
  const { rows } = await db.query(`SELECT status, last_error, due_at FROM scheduled_tasks WHERE name = 'stuck'`);
  expect(rows[0]).toMatchObject({ status: 'error', last_error: 'interrupted' });
  expect(rows[0].due_at.getTime()).toBeGreaterThan(Date.now());
  expect(logs.some((l) => l.event === 'scheduler.task_recovered')).toBe(true);
});
