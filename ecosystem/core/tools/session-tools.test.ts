import type { ToolDef } from '../tool.ts';
import { scheduleCosts, sessionsDaily, sessionsSummary, topSessions } from './session-stats.ts';
import { sessionsGet, sessionsList } from './session-tools.ts';
import { call, expect, failure, insertSession, makeCtx, test } from '../../testing/tool-context.ts';

const [list, get, summary, daily, top, costs] = [sessionsList, sessionsGet, sessionsSummary, sessionsDaily, topSessions, scheduleCosts].map(
  (t) => t as unknown as ToolDef,
);

async function seed(db: import('pg').Pool) {
  const task = (await db.query(`INSERT INTO scheduled_tasks (name, cron, prompt, due_at) VALUES ('daily', '0 9 * * *', 'p', now()) RETURNING id`)).rows[0].id;
  const ago = (h: number) => new Date(Date.now() - h * 3600_000);
  const ids = {
    cheap: await insertSession(db, { created_at: ago(1), duration_ms: 100, input_tokens: 10, output_tokens: 5, cost_usd: '0.001', tag: 'x' }),
    pricey: await insertSession(db, { created_at: ago(2), duration_ms: 900, input_tokens: 1000, output_tokens: 500, cost_usd: '0.25', trigger_source: 'scheduled', scheduled_task_id: task }),
    failed: await insertSession(db, { created_at: ago(30), status: 'error', error: 'timeout', duration_ms: 5000, input_tokens: 5, output_tokens: 1, cost_usd: '0.0001', trigger_source: 'scheduled', scheduled_task_id: task }),
    running: await insertSession(db, { created_at: ago(0.1), status: 'running', trigger_source: 'external', tool_calls: JSON.stringify([{ name: 'state_get', arguments: {}, result: {}, is_error: false }]) }),
  };
  return { task, ids };
}

test('sessions_list: newest first, filters, summary rows without bulky fields', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const { ids } = await seed(db);
  const rows = (await call(list, {}, ctx)).sessions;
  expect(rows.map((r: { session_id: string }) => r.session_id)).toEqual([ids.running, ids.cheap, ids.pricey, ids.failed]);
  expect(rows[0]).not.toHaveProperty('tool_calls');
  expect(rows[0].tool_call_count).toBe(1);
  expect(rows[1].cost_usd).toBe(0.001);
  expect(typeof rows[1].created_at).toBe('string');
  const only = async (args: Record<string, unknown>) => (await call(list, args, ctx)).sessions.map((r: { session_id: string }) => r.session_id);
  expect(await only({ status: 'error' })).toEqual([ids.failed]);
  expect(await only({ trigger_source: 'scheduled' })).toEqual([ids.pricey, ids.failed]);
  expect(await only({ tag: 'x' })).toEqual([ids.cheap]);
  expect(await only({ since: new Date(Date.now() - 3 * 3600_000).toISOString() })).toHaveLength(3);
  expect(await only({ limit: 2, offset: 1 })).toEqual([ids.cheap, ids.pricey]);
});

test('sessions_get returns the full row; unknown id is not_found', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const { ids } = await seed(db);
  const row = await call(get, { session_id: ids.running }, ctx);
  expect(row.tool_calls).toEqual([{ name: 'state_get', arguments: {}, result: {}, is_error: false }]);
  expect(row.prompt).toBe('p');
  expect((await failure(() => call(get, { session_id: '00000000-0000-4000-8000-000000000000' }, ctx))).code).toBe('not_found');
});

test('sessions_summary and sessions_daily total what was seeded', async ({ db }) => {
  const { ctx } = makeCtx(db);
  await seed(db);
  const s = await call(summary, {}, ctx);
  expect(s).toMatchObject({
    total: 4,
    by_status: { running: 1, completed: 2, error: 1 },
    by_trigger_source: { external: 1, heartbeat: 0, scheduled: 2, test: 1 },
    input_tokens: 1015,
    output_tokens: 506,
  });
  expect(s.cost_usd).toBeCloseTo(0.2511, 6);
  expect(s.mean_duration_ms).toBeCloseTo(2000, 6);
  const recent = await call(summary, { since: new Date(Date.now() - 3 * 3600_000).toISOString() }, ctx);
  expect(recent.total).toBe(3);

  const d = (await call(daily, { days: 3 }, ctx)).days;
  expect(d).toHaveLength(3);
  expect(d[2].date).toBe(new Date().toISOString().slice(0, 10));
  expect(d.reduce((n: number, x: { sessions: number }) => n + x.sessions, 0)).toBe(4);
  expect(d.reduce((n: number, x: { errors: number }) => n + x.errors, 0)).toBe(1);
});

test('top_sessions ranks by cost, duration and tokens; schedule_costs groups by task', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const { ids, task } = await seed(db);
  const ranked = async (by: string) => (await call(top, { by, limit: 2 }, ctx)).sessions.map((r: { session_id: string }) => r.session_id);
  expect(await ranked('cost')).toEqual([ids.pricey, ids.cheap]);
  expect(await ranked('duration')).toEqual([ids.failed, ids.pricey]);
  expect(await ranked('tokens')).toEqual([ids.pricey, ids.cheap]);
  const { tasks } = await call(costs, {}, ctx);
  expect(tasks).toEqual([
    expect.objectContaining({ task_id: task, name: 'daily', runs: 2, errors: 1, input_tokens: 1005, output_tokens: 501 }),
  ]);
  expect(tasks[0].cost_usd).toBeCloseTo(0.2501, 6);
});
