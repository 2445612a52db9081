import { SpawnerResult } from '../../contracts/index.ts';
import { test, expect } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';
import { spawnerStatus, taskSessions, tick, until } from './scheduling.ts';
import type { SessionRow } from './scheduling.ts';

const CRON = '0 */6 * * *';

function external(client: McpHandle, prompt: string, tag: string) {
  return client.call('trigger', { prompt, trigger_source: 'external', tag }, SpawnerResult, { timeoutMs: 200_000 });
}

async function sessionById(db: import('pg').Pool, id: string): Promise<SessionRow> {
  return (await db.query<SessionRow>('select * from sessions where session_id = $1', [id])).rows[0];
}

test.describe('timer and external work share one serial lock', () => {
  test.describe.configure({ timeout: 240_000 });

  test('SCH-24 an external trigger and a tick fired together both run, one after the other', async ({ mcp, sql, model, schedules, tag }) => {
    model.require();
    const task = await schedules.create('health', { name: `${tag}-timer`, cron: CRON, prompt: `Log weight 80kg (${tag} timer)` });
    await schedules.makeDue('health', task.name);
    const [ext, ticked] = await Promise.all([external(await mcp('health'), `Log weight 81kg (${tag} ext)`, tag), tick(await mcp('health'))]);
    expect(ext.success, ext.error ?? '').toBe(true);
    expect(ticked.ran.find((r) => r.task_id === task.id)?.status).toBe('completed');
    const e = await sessionById(sql('health'), ext.session_id!);
    const [s] = await taskSessions(sql('health'), task.id);
    expect([e.trigger_source, s.trigger_source]).toEqual(['external', 'scheduled']);
    const [firstDone, second] = e.created_at < s.created_at ? [e, s] : [s, e];
    expect(second.created_at.getTime(), 'the sessions did not overlap').toBeGreaterThanOrEqual(firstDone.completed_at!.getTime());
  });

  test('SCH-25 a tick behind a held external session waits: no scheduled session until the external one completed', async ({ mcp, sql, model, schedules, tag }) => {
    const control = model.requireDouble();
    await model.fault({ match: { prompt_contains: `${tag} ext` }, action: 'hold' });
    const task = await schedules.create('health', { name: `${tag}-timer`, cron: CRON, prompt: `Log weight 80kg (${tag} timer)` });
    await schedules.makeDue('health', task.name);
    const probe = await mcp('health');
    const ext = external(await mcp('health'), `Log weight 81kg (${tag} ext)`, tag);
    const held = await control.waitForHeld({}, 60_000);
    expect(await spawnerStatus(probe)).toMatchObject({ busy: true, queue_depth: 0 });
    const ticking = tick(await mcp('health'));
    await until('the tick to queue behind the external session', async () => (await spawnerStatus(probe)).queue_depth === 1);
    expect(await taskSessions(sql('health'), task.id), 'no scheduled session while the external one holds the lock').toEqual([]);
    await control.release(held.id);
    const [e, t] = await Promise.all([ext, ticking]);
    expect(e.success, e.error ?? '').toBe(true);
    expect(t.ran.find((r) => r.task_id === task.id)?.status).toBe('completed');
    const [s] = await taskSessions(sql('health'), task.id);
    const es = await sessionById(sql('health'), e.session_id!);
    expect(s.created_at.getTime()).toBeGreaterThanOrEqual(es.completed_at!.getTime());
  });

  test('SCH-26 an external trigger behind a held scheduled session waits until the scheduled one completed', async ({ mcp, sql, model, schedules, tag }) => {
    const control = model.requireDouble();
    await model.fault({ match: { prompt_contains: `${tag} timer` }, action: 'hold' });
    const task = await schedules.create('health', { name: `${tag}-timer`, cron: CRON, prompt: `Log weight 80kg (${tag} timer)` });
    await schedules.makeDue('health', task.name);
    const probe = await mcp('health');
    const ticking = tick(await mcp('health'));
    const held = await control.waitForHeld({}, 60_000);
    const ext = external(await mcp('health'), `Log weight 81kg (${tag} ext)`, tag);
    await until('the external trigger to queue behind the scheduled session', async () => (await spawnerStatus(probe)).queue_depth === 1);
    const { rows: early } = await sql('health').query(`select 1 from sessions where tag = $1 and trigger_source = 'external'`, [tag]);
    expect(early, 'no external session while the scheduled one holds the lock').toEqual([]);
    await control.release(held.id);
    const [t, e] = await Promise.all([ticking, ext]);
    expect(t.ran.find((r) => r.task_id === task.id)?.status).toBe('completed');
    expect(e.success, e.error ?? '').toBe(true);
    const [s] = await taskSessions(sql('health'), task.id);
    const es = await sessionById(sql('health'), e.session_id!);
    expect(es.created_at.getTime()).toBeGreaterThanOrEqual(s.completed_at!.getTime());
  });

  test('SCH-27 three external triggers and three ticks, alternating behind a held session, run in arrival order', async ({ mcp, sql, model, schedules, tag }) => {
    const control = model.requireDouble();
    await model.fault({ match: { prompt_contains: `${tag} e1` }, action: 'hold' });
    const tasks = [];
    for (const n of [1, 2, 3]) tasks.push(await schedules.create('health', { name: `${tag}-t${n}`, cron: CRON, prompt: `Log weight 8${n}kg (${tag} t${n})` }));
    const probe = await mcp('health');
    const calls: Promise<unknown>[] = [];
    const arrival: string[] = [];
    calls.push(external(await mcp('health'), `Log weight 71kg (${tag} e1)`, tag));
    arrival.push('e1');
    const held = await control.waitForHeld({}, 60_000);
    for (const [i, step] of ['t1', 'e2', 't2', 'e3', 't3'].entries()) {
      if (step.startsWith('t')) {
        const task = tasks[Number(step[1]) - 1];
        await schedules.makeDue('health', task.name);
        calls.push(tick(await mcp('health')));
      } else {
        calls.push(external(await mcp('health'), `Log weight 7${step[1]}kg (${tag} ${step})`, tag));
      }
      arrival.push(step);
      await until(`${step} to queue (depth ${i + 1})`, async () => (await spawnerStatus(probe)).queue_depth === i + 1);
    }
    await control.release(held.id);
    await Promise.all(calls);
    const { rows } = await sql('health').query<SessionRow & { prompt: string }>(
      `select * from sessions where (tag = $1 and trigger_source = 'external') or scheduled_task_id = any($2) order by created_at`,
      [tag, tasks.map((t) => t.id)],
    );
    expect(rows.map((r) => r.status)).toEqual(Array(6).fill('completed'));
    const order = rows.map((r) => /\((?:\S+) (\w+)\)/.exec(r.prompt)?.[1]);
    expect(order, 'session start order = arrival order (FIFO)').toEqual(arrival);
  });
});
