import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { API_KEY, CANARIES, sessionClient, startButler, startWorld, waitFor, type TestButler, type TestWorld } from '../../testing/spawner-world.ts';
import { testPort } from '../../../staging/ports.ts';

// Ports 8513-8516 (at the default E2E_PORT_BASE; testPort moves them) are this file's block; 8599 is a switchboard nobody runs.
const NO_SWITCHBOARD = `http://127.0.0.1:${testPort(8599)}/mcp`;
let w: TestWorld;
let health: TestButler | null = null;

test.beforeAll(async () => {
  w = await startWorld();
});
test.afterAll(async () => {
  await health?.close();
  await w?.close();
});
test.afterEach(async () => w.double.control.clearFaults());

const env = { HEALTH_DEVICE_TOKEN: 'health-device-canary', RELATIONSHIP_CONTACTS_TOKEN: 'relationship-canary', BUTLER_TELEGRAM_TOKEN: '123456:telegram-canary-value' };
const startHealth = () =>
  startButler(w, { roster: 'roster/health', port: testPort(8513), dbName: 't_sec_health', env, overlay: `[runtime]\nlock_wait_timeout_s = 3\n[switchboard]\nurl = "${NO_SWITCHBOARD}"` });

function childView(pid: number) {
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const vars = Object.fromEntries(environ.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  return { vars, raw: environ.join('\n'), cmdline, mcpConfig: cmdline[cmdline.indexOf('--mcp-config') + 1] };
}

async function heldSession(b: TestButler, tag: string, prompt: string) {
  await w.double.control.addFault({ match: { tag }, action: 'hold' });
  const done = b.call('trigger', { prompt, tag });
  const held = await w.double.control.waitForHeld({ tag }, 15_000);
  const { rows } = await b.db.query('SELECT runtime_pid, status FROM sessions WHERE session_id = $1', [held.session_id]);
  expect(rows[0].status).toBe('running');
  return { done, held, pid: rows[0].runtime_pid as number, release: () => w.double.control.release(held.id) };
}

test('a held session: clean environment, private one-server MCP config, session token audience, lock-wait timeout', async () => {
  health = await startHealth();
  const b = health;
  const s = await heldSession(b, 'sec-held', 'Log weight 81kg');
  expect((await b.call('status')).spawner).toMatchObject({ busy: true, queue_depth: 0, current_session_id: s.held.session_id });

  // The child's real environment (SEC-01..03).
  const view = childView(s.pid);
  expect(Object.keys(view.vars).sort()).toEqual(['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'HEALTH_DEVICE_TOKEN', 'TRACEPARENT']);
  expect(view.vars.ANTHROPIC_API_KEY).toBe(API_KEY);
  expect(view.vars.HEALTH_DEVICE_TOKEN).toBe(env.HEALTH_DEVICE_TOKEN);
  for (const v of [...Object.values(CANARIES), env.RELATIONSHIP_CONTACTS_TOKEN, env.BUTLER_TELEGRAM_TOKEN]) expect(view.raw).not.toContain(v);
  const { rows } = await b.db.query('SELECT trace_id FROM sessions WHERE session_id = $1', [s.held.session_id]);
  expect(view.vars.TRACEPARENT).toMatch(new RegExp(`^00-${rows[0].trace_id}-[0-9a-f]{16}-01$`));
  expect(view.cmdline.join(' ')).not.toContain('81kg');

  // The MCP config (SEC-05).
  const config = JSON.parse(readFileSync(view.mcpConfig, 'utf8'));
  expect(statSync(view.mcpConfig).mode & 0o777).toBe(0o600);
  expect(statSync(path.dirname(view.mcpConfig)).mode & 0o777).toBe(0o700);
  expect(Object.keys(config.mcpServers)).toEqual(['health']);
  const server = config.mcpServers.health;
  expect(server.url).toBe(`http://127.0.0.1:${testPort(8513)}/mcp`);
  expect(Object.keys(server.headers)).toEqual(['x-butlers-session-token']);
  const token = server.headers['x-butlers-session-token'] as string;
  expect(token.length).toBeGreaterThanOrEqual(32);

  // What that token may see and call (SEC-08, SEC-09).
  const session = await sessionClient(b.daemon.endpointUrl, token);
  const names = (await session.listTools()).tools.map((t) => t.name);
  expect(names).toEqual(expect.arrayContaining(['measurement_log', 'state_set', 'sessions_list']));
  // Opt-in tools (ToolDef.session) the butler did not name in runtime.session_tools are neither listed nor callable.
  for (const optIn of ['status', 'schedule_create', 'sessions_summary']) {
    expect(names).not.toContain(optIn);
    await expect(session.callTool({ name: optIn, arguments: {} })).rejects.toThrow(/not found/);
  }
  for (const op of ['trigger', 'tick', 'approval_decide', 'approvals_list']) {
    expect(names).not.toContain(op);
    await expect(session.callTool({ name: op, arguments: op === 'trigger' ? { prompt: 'loop' } : {} })).rejects.toThrow(/not found/);
  }
  const stamped = (await session.callTool({ name: 'state_set', arguments: { key: 'sec-held', value: 1 } })).isError;
  expect(stamped).toBeFalsy();
  const forged = await fetch(b.daemon.endpointUrl, { method: 'POST', headers: { 'x-butlers-session-token': 'made-up-token-0123456789', 'content-type': 'application/json' }, body: '{}' });
  expect(forged.status).toBe(401);

  // A second trigger waits for the lock and gives up after lock_wait_timeout_s (RES-26).
  const t0 = Date.now();
  const waiting = b.call('trigger', { prompt: 'Log weight 82kg', tag: 'sec-lockwait' });
  await waitFor(async () => (await b.call('status')).spawner.queue_depth === 1, 'the second trigger to queue');
  const timedOut = await waiting;
  expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
  expect(timedOut).toMatchObject({ success: false, error: 'lock_wait_timeout', session_id: null, output: null, duration_ms: 0 });
  expect(timedOut.lock_wait_ms).toBeGreaterThanOrEqual(3000);
  expect((await b.db.query(`SELECT count(*)::int AS n FROM sessions WHERE tag = 'sec-lockwait'`)).rows[0].n).toBe(0);
  expect(b.logs.find((l) => l.event === 'spawner.lock_wait_timeout')).toMatchObject({ level: 50, tag: 'sec-lockwait' });

  await s.release();
  expect((await s.done).success).toBe(true);
  await session.close().catch(() => undefined);
  // After the session: config folder gone, token revoked.
  expect(existsSync(path.dirname(view.mcpConfig))).toBe(false);
  const late = await fetch(b.daemon.endpointUrl, { method: 'POST', headers: { 'x-butlers-session-token': token, 'content-type': 'application/json' }, body: '{}' });
  expect(late.status).toBe(401);
  expect(b.daemon.tokens.size).toBe(0);
});

test('sensitive arguments are masked in tool_calls and logs; enabled modules pass their credentials', async () => {
  const m = await startButler(w, {
    roster: 'roster/messenger', port: testPort(8514), dbName: 't_sec_messenger', env,
    overlay: `[approval_gates]\nmode = "none"\n[switchboard]\nurl = "${NO_SWITCHBOARD}"`,
  });
  try {
    const s = await heldSession(m, 'sec-msg-held', 'Notify me that the build passed');
    const view = childView(s.pid);
    // telegram is enabled in messenger's config (failed, but enabled): its credential passes (SEC-04).
    expect(view.vars.BUTLER_TELEGRAM_TOKEN).toBe(env.BUTLER_TELEGRAM_TOKEN);
    expect(view.vars.HEALTH_DEVICE_TOKEN).toBeUndefined();
    await s.release();
    await s.done;

    const recipient = 'sec-recipient@example.test';
    await w.double.control.addFault({ match: { tag: 'sec-sensitive' }, action: { type: 'tool_use', name: 'notification_log', input: { channel: 'email', body: 'hello', recipient } } });
    const res = await m.call('trigger', { prompt: 'Notify me that the build passed', tag: 'sec-sensitive' });
    expect(res.success).toBe(true);
    const call = res.tool_calls.find((c: { name: string; arguments: { recipient?: string } }) => c.name === 'notification_log' && c.arguments.recipient);
    expect(call).toMatchObject({ is_error: false, arguments: { channel: 'email', body: 'hello', recipient: '***' }, result: { recipient: '***', body: 'hello' } });
    const { rows } = await m.db.query('SELECT tool_calls::text AS t FROM sessions WHERE session_id = $1', [res.session_id]);
    expect(rows[0].t).not.toContain(recipient);
    expect((await m.db.query('SELECT recipient FROM notification_log WHERE session_id = $1', [res.session_id])).rows).toEqual([{ recipient }]);
    expect(JSON.stringify(m.logs)).not.toContain(recipient);
    expect(JSON.stringify(m.logs)).not.toContain(env.BUTLER_TELEGRAM_TOKEN);
  } finally {
    await m.close();
  }
});

test('shutdown during a session kills it and completes the row; a crash-left row is recovered at startup', async () => {
  health ??= await startHealth();
  const b = health;
  const s = await heldSession(b, 'sec-shutdown', 'Log weight 83kg');
  const closing = b.close();
  health = null;
  // The answer may be cut by the closing server; the row is the record that counts.
  const done = await s.done.catch((err: unknown) => err);
  if (!(done instanceof Error)) expect(done).toMatchObject({ success: false, error: 'interrupted' });
  await closing;
  expect(b.logs.find((l) => l.event === 'butler.shutdown')).toBeTruthy();
  const db = new pg.Pool({ connectionString: w.cluster.url('t_sec_health'), max: 1 });
  // A cluster stopped at teardown terminates idle clients; that must not surface in the next test.
  db.on('error', () => {});
  try {
    const { rows } = await db.query('SELECT status, error, completed_at, runtime_pid FROM sessions WHERE session_id = $1', [s.held.session_id]);
    expect(rows[0]).toMatchObject({ status: 'error', error: 'interrupted' });
    expect(rows[0].completed_at).not.toBeNull();
    expect(() => process.kill(rows[0].runtime_pid, 0)).toThrow();
    // A row a crash left running (inserted by hand) is marked interrupted by the next startup.
    const planted = (await db.query(`INSERT INTO sessions (butler_name, trigger_source, prompt, model, status) VALUES ('health', 'external', 'p', 'm', 'running') RETURNING session_id`)).rows[0].session_id;
    health = await startHealth();
    const after = (await db.query('SELECT status, error, completed_at FROM sessions WHERE session_id = $1', [planted])).rows[0];
    expect(after).toMatchObject({ status: 'error', error: 'interrupted' });
    expect(after.completed_at).not.toBeNull();
    expect(health.logs.find((l) => l.event === 'spawner.session_recovered')).toMatchObject({ session_id: planted, level: 40 });
  } finally {
    await db.end();
  }
});
