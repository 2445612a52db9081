import { expect, test } from '@playwright/test';
import { nextCronOccurrence } from '../tools/cron.ts';
import { startButler, startWorld, waitFor, type TestButler, type TestWorld } from '../../testing/spawner-world.ts';
import { testPort } from '../../../staging/ports.ts';

// Port 8520 (at the default E2E_PORT_BASE; testPort moves it) is this file's block.
let w: TestWorld;
let b: TestButler;

test.beforeAll(async () => {
  w = await startWorld();
  b = await startButler(w, { roster: 'roster/health', port: testPort(8520), dbName: 't_tick_health' });
  // The TOML schedules are not due for hours; keep them out of the way for good.
  await b.db.query(`UPDATE scheduled_tasks SET due_at = now() + interval '1 year' WHERE source = 'toml'`);
});
test.afterAll(async () => {
  await b?.close();
  await w?.close();
});
test.afterEach(async () => w.double.control.clearFaults());

async function dueTask(name: string, prompt: string, enabled = true): Promise<string> {
  const { task } = await b.call('schedule_create', { name, cron: '0 */6 * * *', prompt, enabled });
  await b.db.query(`UPDATE scheduled_tasks SET due_at = now() - interval '1 minute' WHERE id = $1`, [task.id]);
  return task.id;
}
const task = async (id: string) => (await b.db.query('SELECT * FROM scheduled_tasks WHERE id = $1', [id])).rows[0];
const sessionsOf = async (id: string) => (await b.db.query('SELECT * FROM sessions WHERE scheduled_task_id = $1 ORDER BY created_at', [id])).rows;

test('tick runs a due task as a scheduled session, records it and re-arms due_at', async () => {
  const id = await dueTask('tk-run', 'Log weight 80kg (tk-run)');
  const disabled = await dueTask('tk-disabled', 'Log weight 81kg (tk-disabled)', false);
  const tp = '00-11111111111111111111111111111111-2222222222222222-01';
  const res = await b.call('tick', {}, { traceparent: tp });
  expect(res.skipped_running).toEqual([]);
  expect(res.ran).toHaveLength(1);
  const [run] = res.ran;
  expect(run).toMatchObject({ task_id: id, name: 'tk-run', status: 'completed' });
  expect(run.run_id).toMatch(/^[0-9a-f-]{36}$/);

  const [s] = await sessionsOf(id);
  expect(s).toMatchObject({ session_id: run.session_id, trigger_source: 'scheduled', tag: `sched:${run.run_id}`, status: 'completed', trace_id: '11111111111111111111111111111111' });
  const t = await task(id);
  expect(t).toMatchObject({ status: 'completed', last_session_id: run.session_id, last_error: null });
  expect(t.due_at.getTime()).toBe(nextCronOccurrence('0 */6 * * *', t.last_run_at).getTime());
  expect(t.due_at.getTime()).toBeGreaterThan(Date.now());

  expect(await task(disabled)).toMatchObject({ status: 'pending', last_run_at: null });
  expect(await sessionsOf(disabled)).toEqual([]);
  // Nothing due any more.
  expect(await b.call('tick')).toEqual({ ran: [], skipped_running: [] });
});

test('overlapping ticks never run a task twice: the second lists it as skipped_running', async () => {
  const id = await dueTask('tk-overlap', 'Log weight 82kg (tk-overlap)');
  await w.double.control.addFault({ match: { prompt_contains: 'tk-overlap' }, action: 'hold' });
  const first = b.call('tick');
  const held = await w.double.control.waitForHeld({}, 15_000);
  expect((await task(id)).status).toBe('running');
  const second = await b.call('tick');
  expect(second).toEqual({ ran: [], skipped_running: ['tk-overlap'] });
  await w.double.control.release(held.id);
  const res = await first;
  expect(res.ran.map((r: { name: string }) => r.name)).toEqual(['tk-overlap']);
  expect(await sessionsOf(id)).toHaveLength(1);

  // Made due again, it runs again: two sessions in total.
  await b.db.query(`UPDATE scheduled_tasks SET due_at = now() - interval '1 minute' WHERE id = $1`, [id]);
  expect((await b.call('tick')).ran).toHaveLength(1);
  expect(await sessionsOf(id)).toHaveLength(2);
});

test('a failing task is recorded as error and still re-armed', async () => {
  const id = await dueTask('tk-fail', 'Log weight 83kg (tk-fail)');
  await w.double.control.addFault({ match: { prompt_contains: 'tk-fail' }, action: { type: 'status', code: 500 }, times: 0 });
  const res = await b.call('tick');
  expect(res.ran).toEqual([expect.objectContaining({ task_id: id, status: 'error' })]);
  const t = await task(id);
  expect(t).toMatchObject({ status: 'error', last_error: 'api_error', last_session_id: res.ran[0].session_id });
  expect(t.due_at.getTime()).toBeGreaterThan(Date.now());
  expect((await sessionsOf(id))[0]).toMatchObject({ status: 'error', error: 'api_error' });
});

test('a tick queues behind a running session and its session starts after that one completes', async () => {
  const id = await dueTask('tk-queued', 'Log weight 84kg (tk-queued)');
  await w.double.control.addFault({ match: { tag: 'tk-external' }, action: 'hold' });
  const external = b.call('trigger', { prompt: 'Log weight 85kg', tag: 'tk-external' });
  const held = await w.double.control.waitForHeld({ tag: 'tk-external' }, 15_000);
  const ticking = b.call('tick');
  await waitFor(async () => (await b.call('status')).spawner.queue_depth === 1, 'the tick to queue behind the session');
  expect(await sessionsOf(id)).toEqual([]);
  await w.double.control.release(held.id);
  const [ext, tick] = await Promise.all([external, ticking]);
  expect(tick.ran[0]).toMatchObject({ task_id: id, status: 'completed' });
  const extRow = (await b.db.query('SELECT completed_at FROM sessions WHERE session_id = $1', [ext.session_id])).rows[0];
  const [sched] = await sessionsOf(id);
  expect(sched.created_at.getTime()).toBeGreaterThanOrEqual(extRow.completed_at.getTime());
});
