import { expect, test } from '@playwright/test';
import { SessionRow } from '../../../contracts/session-row.ts';
import { SpawnerResult } from '../../../contracts/spawner-result.ts';
import { API_KEY, startButler, startWorld, waitFor, type TestButler, type TestWorld } from '../../testing/spawner-world.ts';
import { testPort } from '../../../staging/ports.ts';

// Ports 8510-8512 (at the default E2E_PORT_BASE; testPort moves them) are this file's block.
const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
let w: TestWorld;
let b: TestButler;

test.beforeAll(async () => {
  w = await startWorld();
  b = await startButler(w, {
    roster: 'roster/health', port: testPort(8510), dbName: 't_spawn_health',
    overlay: `[runtime]\nlock_wait_timeout_s = 5\n[switchboard]\nurl = "http://127.0.0.1:${testPort(8599)}/mcp"`,
  });
});
test.afterAll(async () => {
  await b?.close();
  await w?.close();
});
test.afterEach(async () => w.double.control.clearFaults());

const row = async (sessionId: string) => SessionRow.parse((await b.db.query('SELECT * FROM sessions WHERE session_id = $1', [sessionId])).rows[0]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('trigger runs a real session: domain row stamped, tool calls, tokens, cost, trace, logs', async () => {
  const res = await b.call('trigger', { prompt: 'Log weight 80kg', tag: 'sp-happy' }, { traceparent: TP });
  SpawnerResult.parse(res);
  expect(res).toMatchObject({ success: true, error: null, model: 'claude-haiku-4-5-20251001', tool_calls: [{ name: 'measurement_log', is_error: false }] });
  expect(res.output).toContain('measurement_log');
  expect(res.lock_wait_ms).toBeLessThan(100);
  expect(res.input_tokens).toBeGreaterThan(0);

  const s = await row(res.session_id);
  expect(s).toMatchObject({ butler_name: 'health', status: 'completed', trigger_source: 'external', kind: 'task', tag: 'sp-happy', error: null, api_requests: 2, prompt: 'Log weight 80kg' });
  expect(s.trace_id).toBe('0af7651916cd43dd8448eb211c80319c');
  expect(s.tool_calls).toEqual(res.tool_calls);
  expect(s.tool_calls[0].arguments).toEqual({ type: 'weight', value: 80, unit: 'kg' });
  expect(s.input_tokens).toBe(res.input_tokens);
  expect(s.output_tokens).toBe(res.output_tokens);
  expect(s.cost_usd).toBeCloseTo((s.input_tokens! * 1 + s.output_tokens! * 5) / 1e6, 12);
  expect(s.duration_ms).toBe(res.duration_ms);
  expect(s.duration_ms!).toBeLessThanOrEqual(s.completed_at!.getTime() - s.created_at.getTime() + 5);
  expect(s.runtime_pid).toBeGreaterThan(0);
  expect(alive(s.runtime_pid!)).toBe(false);

  const m = await b.db.query('SELECT type, value::float AS value, unit FROM measurements WHERE session_id = $1', [res.session_id]);
  expect(m.rows).toEqual([{ type: 'weight', value: 80, unit: 'kg' }]);

  const offered = (await w.double.control.requests({ session_id: res.session_id }))[0].tools;
  expect(offered).toEqual(expect.arrayContaining(['measurement_log', 'state_set', 'schedule_list', 'sessions_list']));
  for (const optIn of ['status', 'schedule_create', 'top_sessions']) expect(offered, 'opt-in tools stay off the session list').not.toContain(optIn);
  for (const operatorTool of ['trigger', 'tick', 'approval_decide', 'approvals_list']) expect(offered).not.toContain(operatorTool);

  const mine = b.logs.filter((l) => l.session_id === res.session_id);
  const events = mine.map((l) => l.event);
  expect(events).toEqual(expect.arrayContaining(['spawner.session_started', 'llm_cli.spawned', 'spawner.session_completed', 'runtime.started', 'runtime.finished']));
  expect(mine.find((l) => l.event === 'spawner.session_completed')).toMatchObject({ level: 30, trace_id: s.trace_id, tag: 'sp-happy', cost_usd: s.cost_usd });
  expect(JSON.stringify(b.logs)).not.toContain(API_KEY);
});

test('concurrent triggers run one at a time in arrival order and report their lock wait', async () => {
  await w.double.control.addFault({ match: { tag: 'sp-fifo-1' }, action: { type: 'delay', ms: 1000 } });
  const first = b.call('trigger', { prompt: 'Log weight 70kg', tag: 'sp-fifo-1' });
  await waitFor(async () => (await b.call('status')).spawner.current_session_id, 'the first session to start');
  const second = b.call('trigger', { prompt: 'Log weight 71kg', tag: 'sp-fifo-2' });
  await waitFor(async () => (await b.call('status')).spawner.queue_depth === 1, 'the second trigger to queue');
  const [r1, r2] = await Promise.all([first, second]);
  expect(r1.success && r2.success).toBe(true);
  expect(r1.lock_wait_ms).toBeLessThan(100);
  expect(r2.lock_wait_ms).toBeGreaterThanOrEqual(900);
  const [s1, s2] = [await row(r1.session_id), await row(r2.session_id)];
  expect(s2.created_at.getTime()).toBeGreaterThanOrEqual(s1.completed_at!.getTime());
  expect(s2.lock_wait_ms).toBe(r2.lock_wait_ms);
  expect((await b.call('status')).spawner).toMatchObject({ busy: false, queue_depth: 0, current_session_id: null, mode: 'double' });
});

test('a session over its timeout is killed, recorded as timeout, and the lock is free at once', async () => {
  await w.double.control.addFault({ match: { tag: 'sp-timeout' }, action: 'hold' });
  const res = await b.call('trigger', { prompt: 'Log weight 72kg', tag: 'sp-timeout', timeout_ms: 2000 });
  expect(res).toMatchObject({ success: false, error: 'timeout' });
  expect(res.duration_ms).toBeGreaterThanOrEqual(2000);
  expect(res.duration_ms).toBeLessThan(8000);
  const s = await row(res.session_id);
  expect(s).toMatchObject({ status: 'error', error: 'timeout' });
  expect(alive(s.runtime_pid!)).toBe(false);
  expect(b.logs.find((l) => l.event === 'spawner.session_failed' && l.session_id === res.session_id)).toMatchObject({ level: 50, error: 'timeout' });
  const next = await b.call('trigger', { prompt: 'Log weight 73kg', tag: 'sp-after-timeout' });
  expect(next.success).toBe(true);
  expect(next.lock_wait_ms).toBeLessThan(100);
  for (const r of await w.double.control.requests({ tag: 'sp-timeout' })) await w.double.control.release(r.id);
});

test('model API failures become error sessions and release the lock', async () => {
  await w.double.control.addFault({ match: { tag: 'sp-401' }, action: { type: 'status', code: 401 } });
  const auth = await b.call('trigger', { prompt: 'Log weight 74kg', tag: 'sp-401' });
  expect(auth).toMatchObject({ success: false, error: 'authentication_error', output: null, input_tokens: null });
  expect(await row(auth.session_id)).toMatchObject({ status: 'error', error: 'authentication_error', api_requests: 1, cost_usd: null });

  await w.double.control.addFault({ match: { tag: 'sp-500' }, action: { type: 'status', code: 500 }, times: 0 });
  const down = await b.call('trigger', { prompt: 'Log weight 75kg', tag: 'sp-500' });
  expect(down).toMatchObject({ success: false, error: 'api_error' });
  expect(await w.double.control.requests({ tag: 'sp-500' })).toHaveLength(3);

  const ok = await b.call('trigger', { prompt: 'Log weight 76kg', tag: 'sp-after-500' });
  expect(ok.success).toBe(true);
  expect(ok.lock_wait_ms).toBeLessThan(100);
});

test('empty output is a failure; a tool from another butler is a tool error the session survives', async () => {
  await w.double.control.addFault({ match: { tag: 'sp-empty' }, action: { type: 'text', text: '' } });
  const empty = await b.call('trigger', { prompt: 'Log weight 77kg', tag: 'sp-empty' });
  expect(empty).toMatchObject({ success: false, error: 'empty_output', output: null });
  expect(await row(empty.session_id)).toMatchObject({ status: 'error', error: 'empty_output' });

  await w.double.control.addFault({ match: { tag: 'sp-foreign' }, action: { type: 'tool_use', name: 'contact_add', input: { name: 'sp-foreign' } } });
  const foreign = await b.call('trigger', { prompt: 'Log weight 78kg', tag: 'sp-foreign' });
  expect(foreign.success).toBe(true);
  expect(foreign.tool_calls[0]).toMatchObject({ name: 'contact_add', is_error: true, result: { error: 'tool_not_found' } });
  expect(foreign.tool_calls[1]).toMatchObject({ name: 'measurement_log', is_error: false });
});

test('trigger validates its arguments against the configured bounds', async () => {
  const cases: Array<Record<string, unknown>> = [
    { prompt: '' },
    { prompt: 'x', timeout_ms: 999 },
    { prompt: 'x', timeout_ms: 120_001 },
    { prompt: 'x', tag: 'x'.repeat(201) },
    { prompt: 'x', trigger_source: 'cron' },
    { prompt: 'x', request_id: 'not-a-uuid' },
  ];
  for (const args of cases) {
    const res = await b.raw('trigger', args);
    expect(res.isError, JSON.stringify(args)).toBe(true);
    expect((res.structuredContent as { error: string }).error).toBe('invalid_arguments');
  }
  expect((await b.db.query(`SELECT count(*)::int AS n FROM sessions WHERE prompt = 'x'`)).rows[0].n).toBe(0);
});
