import { test, expect } from '../../fixtures/index.ts';
import { nextOccurrence, taskSessions, tick } from './scheduling.ts';

const CRON = '0 */6 * * *';

test.describe('the task state machine on health', () => {
  test('SCH-09 a due runtime task runs once as a scheduled session and completes', async ({ mcp, sql, model, schedules, tag }) => {
    model.require();
    const task = await schedules.create('health', { name: `${tag}-task`, cron: CRON, prompt: `Log weight 80kg (${tag})` });
    await schedules.makeDue('health', task.name);
    const result = await tick(await mcp('health'));
    const run = result.ran.find((r) => r.task_id === task.id);
    expect(run, JSON.stringify(result)).toMatchObject({ name: task.name, status: 'completed' });
    const sessions = await taskSessions(sql('health'), task.id);
    expect(sessions.map((s) => ({ trigger_source: s.trigger_source, status: s.status }))).toEqual([{ trigger_source: 'scheduled', status: 'completed' }]);
    expect(run!.session_id).toBe(sessions[0].session_id);
    expect(await schedules.task('health', task.name)).toMatchObject({ status: 'completed', last_session_id: sessions[0].session_id, last_error: null });
  });

  test('SCH-10 after a run, due_at is the next occurrence after last_run_at, in the future', async ({ mcp, model, schedules, tag }) => {
    model.require();
    const task = await schedules.create('health', { name: `${tag}-task`, cron: CRON, prompt: `Log weight 80kg (${tag})` });
    await schedules.makeDue('health', task.name);
    await tick(await mcp('health'));
    const after = (await schedules.task('health', task.name))!;
    expect(after.last_run_at).not.toBeNull();
    expect(after.due_at.getTime()).toBe(nextOccurrence(CRON, after.last_run_at!).getTime());
    expect(after.due_at.getTime()).toBeGreaterThan(Date.now());
  });

  test('SCH-11 a disabled task is never claimed, even when due', async ({ mcp, sql, schedules, tag }) => {
    const task = await schedules.create('health', { name: `${tag}-off`, cron: CRON, prompt: `Log weight 80kg (${tag})`, enabled: false });
    await schedules.makeDue('health', task.name);
    const result = await tick(await mcp('health'));
    expect(result.ran.map((r) => r.task_id)).not.toContain(task.id);
    expect(await taskSessions(sql('health'), task.id)).toEqual([]);
    expect((await schedules.task('health', task.name))!.status).toBe('pending');
  });

  test('SCH-12 a failing session marks the task error with last_error, and due_at is re-armed anyway', async ({ mcp, sql, model, schedules, tag }) => {
    model.requireDouble();
    await model.fault({ match: { prompt_contains: tag }, action: { type: 'status', code: 500 }, times: 0 });
    const task = await schedules.create('health', { name: `${tag}-fails`, cron: CRON, prompt: `Log weight 80kg (${tag})` });
    await schedules.makeDue('health', task.name);
    const result = await tick(await mcp('health'));
    expect(result.ran.find((r) => r.task_id === task.id)?.status).toBe('error');
    const row = (await schedules.task('health', task.name))!;
    expect(row.status).toBe('error');
    expect(row.last_error).toBeTruthy();
    expect((await taskSessions(sql('health'), task.id)).map((s) => s.status)).toEqual(['error']);
    expect(row.due_at.getTime()).toBe(nextOccurrence(CRON, row.last_run_at!).getTime());
    expect(row.due_at.getTime()).toBeGreaterThan(Date.now());
  });

  test('SCH-13 a tick while the task is still running lists it in skipped_running; one session only', async ({ mcp, sql, model, schedules, tag }) => {
    const control = model.requireDouble();
    await model.fault({ match: { prompt_contains: tag }, action: 'hold' });
    const task = await schedules.create('health', { name: `${tag}-held`, cron: CRON, prompt: `Log weight 80kg (${tag})` });
    await schedules.makeDue('health', task.name);
    const first = tick(await mcp('health'));
    const held = await control.waitForHeld({}, 60_000);
    const second = await tick(await mcp('health'));
    expect(second.skipped_running).toContain(task.name);
    expect(second.ran.map((r) => r.task_id)).not.toContain(task.id);
    await control.release(held.id);
    expect((await first).ran.map((r) => r.task_id)).toContain(task.id);
    expect(await taskSessions(sql('health'), task.id)).toHaveLength(1);
  });

  test('SCH-21 two ticks in quick succession run a due task exactly once', async ({ mcp, sql, model, schedules, tag }) => {
    model.require();
    const task = await schedules.create('health', { name: `${tag}-once`, cron: CRON, prompt: `Log weight 80kg (${tag})` });
    await schedules.makeDue('health', task.name);
    const [a, b] = [await mcp('health'), await mcp('health')];
    const results = await Promise.all([tick(a), tick(b)]);
    expect(results.flatMap((r) => r.ran).filter((r) => r.task_id === task.id)).toHaveLength(1);
    expect(await taskSessions(sql('health'), task.id)).toHaveLength(1);
  });

  test('SCH-22 made due again after a run, the task runs a second time', async ({ mcp, sql, model, schedules, tag }) => {
    model.require();
    const task = await schedules.create('health', { name: `${tag}-twice`, cron: CRON, prompt: `Log weight 80kg (${tag})` });
    const client = await mcp('health');
    await schedules.makeDue('health', task.name);
    await Promise.all([tick(client), tick(await mcp('health'))]);
    expect(await taskSessions(sql('health'), task.id)).toHaveLength(1);
    await schedules.makeDue('health', task.name);
    await tick(client);
    const sessions = await taskSessions(sql('health'), task.id);
    expect(sessions).toHaveLength(2);
    expect(sessions.map((s) => s.trigger_source)).toEqual(['scheduled', 'scheduled']);
  });

  test('SCH-23 the TOML daily-summary runs once when due and is re-armed to its next 09:00 UTC', async ({ mcp, sql, model, schedules }) => {
    model.require();
    const before = (await schedules.task('health', 'daily-summary'))!;
    const since = new Date();
    await schedules.makeDue('health', 'daily-summary');
    const result = await tick(await mcp('health'));
    expect(result.ran.filter((r) => r.task_id === before.id)).toHaveLength(1);
    const { rows } = await sql('health').query('select session_id from sessions where scheduled_task_id = $1 and created_at >= $2', [before.id, since]);
    expect(rows).toHaveLength(1);
    const after = (await schedules.task('health', 'daily-summary'))!;
    const expected = nextOccurrence('0 9 * * *', after.last_run_at!);
    expect(after.due_at.getTime()).toBe(expected.getTime());
    expect([expected.getUTCHours(), expected.getUTCMinutes()]).toEqual([9, 0]);
    expect(expected.getTime() - after.last_run_at!.getTime()).toBeLessThanOrEqual(24 * 3600_000);
  });
});
