import { SpawnerResult } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';

const trigger = (client: { call: Function }, prompt: string, tag: string) =>
  client.call('trigger', { prompt, trigger_source: 'test', tag }, SpawnerResult, { timeoutMs: 60_000 }) as Promise<SpawnerResult>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('OBS-15 a successful session row has every post-mortem field, typed', async ({ mcp, sql, model, tag }) => {
  model.require();
  const r = await trigger(await mcp('health'), 'Log weight 80kg', tag);
  expect(r.success, r.error ?? '').toBe(true);
  const { rows } = await sql('health').query(`select * from sessions where session_id = $1`, [r.session_id]);
  const s = rows[0];
  expect(s.session_id).toMatch(UUID);
  expect(s.butler_name).toBe('health');
  expect(s.trigger_source).toBe('test');
  expect(s.prompt).toContain('Log weight 80kg');
  expect(s.model).toBe(r.model);
  expect(s.status).toBe('completed');
  expect(s.created_at).toBeInstanceOf(Date);
  expect(s.completed_at).toBeInstanceOf(Date);
  expect(Number(s.duration_ms)).toBeGreaterThanOrEqual(0);
  expect(Array.isArray(s.tool_calls)).toBe(true);
  expect(Number(s.input_tokens)).toBeGreaterThanOrEqual(0);
  expect(Number(s.output_tokens)).toBeGreaterThanOrEqual(0);
  expect(s.trace_id).toMatch(/^[0-9a-f]{32}$/);
  expect(s.error).toBeNull();
});

test('OBS-16 duration_ms agrees with the wall time the test measured, less the lock wait (ratio)', async ({ mcp, sql, model, tag }) => {
  model.requireDouble();
  await model.fault({ match: { butler: 'health', tag }, action: { type: 'delay', ms: 2000 } });
  const client = await mcp('health');
  const t0 = performance.now();
  const r = await trigger(client, 'Log weight 80kg', tag);
  const wall = performance.now() - t0;
  const { rows } = await sql('health').query(`select duration_ms from sessions where session_id = $1`, [r.session_id]);
  const ratio = Number(rows[0].duration_ms) / (wall - r.lock_wait_ms);
  expect(ratio, `duration_ms ${rows[0].duration_ms} vs wall ${wall.toFixed(0)} - lock ${r.lock_wait_ms}`).toBeGreaterThan(0.8);
  expect(ratio).toBeLessThan(1.2);
});

test('OBS-18 a session whose model answers 500 is an error row with error, completed_at and duration', async ({ mcp, sql, model, logs, tag }) => {
  model.requireDouble();
  await model.fault({ match: { butler: 'health', tag }, action: { type: 'status', code: 500 }, times: 0 });
  const r = await trigger(await mcp('health'), 'Log weight 80kg', tag);
  expect(r.success).toBe(false);
  const { rows } = await sql('health').query(`select status, error, completed_at, duration_ms from sessions where session_id = $1`, [r.session_id]);
  expect(rows[0].status).toBe('error');
  expect(rows[0].error).toBeTruthy();
  expect(rows[0].completed_at).toBeInstanceOf(Date);
  expect(Number(rows[0].duration_ms)).toBeGreaterThanOrEqual(0);
  // The failure is declared here: its error lines are expected.
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.butler === 'health'] });
});

test('OBS-19 a successful full pipeline writes no error line', async ({ pipeline, logs }) => {
  const run = await pipeline.run('Log my weight: 80kg');
  expect(run.dispatch.outcomes.every((o) => o.status === 'success')).toBe(true);
  logs.expectNoUnexpectedErrors();
});

test('OBS-21 classify logs one info classify.result naming the butlers; the body is in no info-or-higher line', async ({ mcp, logs, tag }) => {
  const body = `Log my weight: 80kg ${tag}-secretbody`;
  await (await mcp('switchboard')).call('classify', { text: body, tag });
  // Daemon lines reach the run log through the supervisor's pipe, a moment after the call returns.
  const results = () => logs.window().filter((l) => l.event === 'classify.result' && l.tag === tag);
  await expect.poll(() => results().length, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
  const lines = logs.window();
  expect(results()).toHaveLength(1);
  expect(results()[0].level).toBe(30);
  expect(results()[0].butlers).toContain('health');
  const leaking = lines.filter((l) => l.level >= 30 && JSON.stringify(l).includes(`${tag}-secretbody`));
  expect(leaking.map((l) => l.event)).toEqual([]);
});

test('OBS-22 a full pipeline logs one info route.result per route with target and status', async ({ pipeline, logs, sql, tag }) => {
  const run = await pipeline.run('Log my weight: 80kg');
  const { rows } = await sql('switchboard').query(`select target_butler, status from routing_log where request_id = $1 and tag = $2`, [run.requestId, tag]);
  const routeLines = () => logs.window().filter((l) => l.event === 'route.result' && l.request_id === run.requestId);
  await expect.poll(() => routeLines().length, { timeout: 5000 }).toBeGreaterThanOrEqual(rows.length);
  const lines = routeLines();
  expect(lines.every((l) => l.level === 30)).toBe(true);
  expect(lines.map((l) => `${l.target_butler}:${l.status}`).sort()).toEqual(rows.map((r) => `${r.target_butler}:${r.status}`).sort());
  expect(lines.length).toBeGreaterThanOrEqual(1);
});
