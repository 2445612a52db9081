import http from 'node:http';
import { expect, test } from '@playwright/test';
import { RouteResult } from '../../../contracts/route-result.ts';
import { startThrowawayCluster, type ThrowawayCluster } from '../../../staging/testing/throwaway-cluster.ts';
import { fakeSpawner, fakeTrigger, overlayDir, settle, startButler, startSwitchboard, startTarget, until, type TestDaemon } from '../../testing/router-kit.ts';
import { testPort } from '../../../staging/ports.ts';

// Ports 8600-8609 (at the default E2E_PORT_BASE; testPort moves them) are this file's block; 8602 stays unbound until the quarantine test listens on it.
const SB = testPort(8600);
const HEALTH = testPort(8601);
const DEAD = testPort(8602);
const ROGUE = testPort(8603);
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = `00-${TRACE}-b7ad6b7169203331-01`;

let cluster: ThrowawayCluster;
let dir: ReturnType<typeof overlayDir>;
let sb: TestDaemon;
let health: TestDaemon;
const trigger = fakeTrigger();
const spawner = fakeSpawner();
const extra: Array<{ close(): Promise<void> }> = [];

test.beforeAll(async () => {
  cluster = await startThrowawayCluster();
  dir = overlayDir();
  sb = await startSwitchboard({ cluster, dir: dir.dir, port: SB, dbName: 'rt_switchboard', spawner: spawner.extension });
  health = await startHealth();
  await until(async () => (await sb.db.query(`SELECT 1 FROM butler_registry WHERE name = 'health'`)).rowCount, 15_000, 'health registered');
});

test.afterAll(async () => {
  for (const e of extra) await e.close().catch(() => undefined);
  await health?.close();
  await sb?.close();
  await settle();
  await cluster?.stop();
  dir?.remove();
});

function startHealth(): Promise<TestDaemon> {
  return startTarget({ cluster, dir: dir.dir, butler: 'health', port: HEALTH, dbName: 'rt_health', switchboardUrl: sb.daemon.endpointUrl, trigger: trigger.extension });
}

const logRows = (tag: string) => sb.db.query('SELECT * FROM routing_log WHERE tag = $1 ORDER BY created_at', [tag]).then((r) => r.rows);
const registry = (name: string) => sb.db.query('SELECT * FROM butler_registry WHERE name = $1', [name]).then((r) => r.rows[0]);
const statusCalls = (d: TestDaemon) => d.lines.filter((l) => l.event === 'tool.call' && l.tool === 'status').length;

test('routes with a new client, then the cached one; every call is logged with its trace and chain', async () => {
  await sb.call('route_cache_clear', {});
  const first = await sb.call('route', { target_butler: 'health', tool_name: 'status', args: {}, tag: 'rt-cache' });
  expect(first.isError).toBe(false);
  expect(RouteResult.parse(first.sc)).toMatchObject({ ok: true, client: 'new', route_contract_version: 'v1', result: { butler: 'health' } });
  const second = await sb.call('route', { target_butler: 'health', tool_name: 'trigger', args: { prompt: 'Log weight 80kg' }, tag: 'rt-cache' }, { traceparent: PARENT });
  expect(second.sc).toMatchObject({ ok: true, client: 'cached', result: { success: true, output: 'health did: Log weight 80kg' } });

  const seen = trigger.state.calls.at(-1)!;
  expect(seen.meta['butlers/route_chain']).toEqual(['health']);
  const tp = String(seen.meta.traceparent).split('-');
  expect(tp[1]).toBe(TRACE);
  expect(tp[2]).not.toBe('b7ad6b7169203331');

  const rows = await logRows('rt-cache');
  expect(rows.map((r) => [r.tool_name, r.status, r.client_reused, r.preflight, r.origin, r.route_contract_version, r.error_class])).toEqual([
    ['status', 'success', false, false, 'operator', 'v1', null],
    ['trigger', 'success', true, false, 'operator', 'v1', null],
  ]);
  expect(rows[1].trace_id).toBe(TRACE);
  expect(rows.every((r) => r.duration_ms >= 0)).toBe(true);
  expect(sb.lines.filter((l) => l.event === 'route.result' && l.tag === 'rt-cache').map((l) => [l.level, l.status])).toEqual([[30, 'success'], [30, 'success']]);

  const st = await sb.call('status', {});
  expect(st.sc.router).toEqual({ cached_clients: 1 });
  expect((await sb.call('route_cache_clear', { target_butler: 'health' })).sc).toEqual({ cleared: 1, target_butler: 'health' });
  expect((await sb.call('status', {})).sc.router).toEqual({ cached_clients: 0 });
  const third = await sb.call('route', { target_butler: 'health', tool_name: 'status', tag: 'rt-cache' });
  expect(third.sc).toMatchObject({ ok: true, client: 'new' });
});

test('route chain: a cycle and an over-long chain are refused before any lookup, and logged', async () => {
  const cycle = await sb.call('route', { target_butler: 'health', tool_name: 'status', tag: 'rt-chain' }, { 'butlers/route_chain': ['switchboard', 'health'] });
  expect(cycle.isError).toBe(true);
  expect(RouteResult.parse(cycle.sc)).toMatchObject({ ok: false, error: 'routing_cycle_detected', error_class: 'routing_cycle_detected' });
  const deep = await sb.call('route', { target_butler: 'health', tool_name: 'status', tag: 'rt-chain' }, { 'butlers/route_chain': ['a', 'b', 'c', 'd', 'e'] });
  expect(deep.sc).toMatchObject({ ok: false, error: 'routing_depth_exceeded' });
  // RES-21: the switchboard routed to its own route tool, which routes back to the switchboard.
  const nested = await sb.call('route', { target_butler: 'switchboard', tool_name: 'route', args: { target_butler: 'switchboard', tool_name: 'status', tag: 'rt-chain-inner' }, tag: 'rt-chain' });
  expect(nested.sc).toMatchObject({ ok: false, error: 'tool_error', error_class: 'tool_error', target_error: { error: 'routing_cycle_detected', ok: false } });
  expect((await logRows('rt-chain')).map((r) => [r.target_butler, r.status, r.error_class])).toEqual([
    ['health', 'error', 'routing_cycle_detected'],
    ['health', 'error', 'routing_depth_exceeded'],
    ['switchboard', 'error', 'tool_error'],
  ]);
  expect((await logRows('rt-chain-inner')).map((r) => [r.status, r.error_class])).toEqual([['error', 'routing_cycle_detected']]);
  expect(sb.lines.filter((l) => l.event === 'route.failed' && l.tag === 'rt-chain').every((l) => l.level === 50)).toBe(true);
  // A cycle is no transport failure: nothing counts against the target.
  expect((await registry('health')).consecutive_failures).toBe(0);
});

test('unknown target and tool errors are errors that never count towards quarantine', async () => {
  const unknown = await sb.call('route', { target_butler: 'nobody', tool_name: 'status', tag: 'rt-err' });
  expect(unknown.sc).toMatchObject({ ok: false, error: 'unknown_target' });
  trigger.state.behave = (a) => (a.tag === 'rt-err' ? { fail: { code: 'nope', message: 'always fails' } } : {});
  const te = await sb.call('route', { target_butler: 'health', tool_name: 'trigger', args: { prompt: 'x', tag: 'rt-err' }, tag: 'rt-err' });
  trigger.state.behave = () => ({});
  expect(te.sc).toMatchObject({ ok: false, error: 'tool_error', error_class: 'tool_error', target_error: { error: 'nope', message: 'always fails' } });
  expect((await logRows('rt-err')).map((r) => r.status)).toEqual(['error', 'error']);
  expect((await registry('health')).consecutive_failures).toBe(0);
  expect((await sb.call('route', { target_butler: 'health', tool_name: 'status', tag: 'rt-err' })).sc.client).toBe('cached');
});

test('a different contract version warns and routes; the row keeps the registry value', async () => {
  await sb.db.query(`UPDATE butler_registry SET route_contract_version = 'v2' WHERE name = 'health'`);
  try {
    const r = await sb.call('route', { target_butler: 'health', tool_name: 'status', tag: 'rt-ver' });
    expect(r.sc).toMatchObject({ ok: true, route_contract_version: 'v2' });
    expect(sb.lines.filter((l) => l.event === 'route.contract_version_mismatch' && l.tag === 'rt-ver')).toEqual([
      expect.objectContaining({ level: 40, route_contract_version: 'v2', expected: 'v1', target_butler: 'health' }),
    ]);
    expect((await logRows('rt-ver')).map((r) => r.route_contract_version)).toEqual(['v2']);
  } finally {
    await sb.db.query(`UPDATE butler_registry SET route_contract_version = 'v1' WHERE name = 'health'`);
  }
  await sb.call('route', { target_butler: 'health', tool_name: 'status', tag: 'rt-ver1' });
  expect(sb.lines.some((l) => l.event === 'route.contract_version_mismatch' && l.tag === 'rt-ver1')).toBe(false);
});

test('a stale entry gets a pre-flight status call; when that fails the main call never happens', async () => {
  await sb.db.query(`UPDATE butler_registry SET last_seen_at = now() - interval '1 day' WHERE name = 'health'`);
  const before = statusCalls(health);
  const triggers = trigger.state.calls.length;
  const ok = await sb.call('route', { target_butler: 'health', tool_name: 'trigger', args: { prompt: 'hello' }, tag: 'rt-stale' });
  expect(ok.sc).toMatchObject({ ok: true, preflight: true });
  expect(statusCalls(health)).toBe(before + 1);
  expect(trigger.state.calls.length).toBe(triggers + 1);
  expect((await sb.db.query(`SELECT last_seen_at > now() - interval '1 minute' AS fresh FROM butler_registry WHERE name = 'health'`)).rows[0].fresh).toBe(true);

  const url = (await registry('health')).endpoint_url;
  await sb.db.query(`UPDATE butler_registry SET last_seen_at = now() - interval '1 day', endpoint_url = $1 WHERE name = 'health'`, [`http://127.0.0.1:${DEAD}/mcp`]);
  try {
    const bad = await sb.call('route', { target_butler: 'health', tool_name: 'trigger', args: { prompt: 'hello' }, tag: 'rt-stale' });
    expect(bad.sc).toMatchObject({ ok: false, error: 'target_unavailable', error_class: 'connection_refused', preflight: true });
    expect(trigger.state.calls.length).toBe(triggers + 1);
    expect((await logRows('rt-stale')).map((r) => [r.status, r.preflight])).toEqual([['success', true], ['target_unavailable', true]]);
  } finally {
    await sb.db.query(`UPDATE butler_registry SET endpoint_url = $1, last_seen_at = now(), consecutive_failures = 0 WHERE name = 'health'`, [url]);
  }
});

test('a slow target times out under timeout_ms; the timeout counts as a failure and success resets it', async () => {
  trigger.state.behave = (a) => (a.tag === 'rt-slow' ? { delayMs: 1500 } : {});
  const r = await sb.call('route', { target_butler: 'health', tool_name: 'trigger', args: { prompt: 'slow', tag: 'rt-slow' }, timeout_ms: 400, tag: 'rt-slow' });
  trigger.state.behave = () => ({});
  expect(r.sc).toMatchObject({ ok: false, error: 'timeout', error_class: 'timeout' });
  expect(r.sc.duration_ms).toBeGreaterThanOrEqual(400);
  expect((await logRows('rt-slow')).map((x) => [x.status, x.error_class])).toEqual([['timeout', 'timeout']]);
  expect((await registry('health')).consecutive_failures).toBe(1);
  // The timed-out client was discarded: the next call needs a new one, and its success resets the counter.
  expect((await sb.call('route', { target_butler: 'health', tool_name: 'status', tag: 'rt-slow' })).sc).toMatchObject({ ok: true, client: 'new' });
  expect((await registry('health')).consecutive_failures).toBe(0);
});

test('a malformed answer is error/malformed_response and does not quarantine', async () => {
  const rogue = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('hello, I am not MCP'));
  await new Promise<void>((r) => rogue.listen(ROGUE, '127.0.0.1', () => r()));
  extra.push({ close: () => new Promise<void>((r) => rogue.close(() => r())) });
  await sb.call('registry_register', { name: 'rogue', endpoint_url: `http://127.0.0.1:${ROGUE}/mcp` });
  const r = await sb.call('route', { target_butler: 'rogue', tool_name: 'status', tag: 'rt-rogue' });
  expect(r.sc).toMatchObject({ ok: false, error: 'malformed_response', error_class: 'malformed_response' });
  expect(sb.lines.find((l) => l.event === 'route.failed' && l.tag === 'rt-rogue')).toMatchObject({ level: 50, error: 'malformed_response' });
  expect((await registry('rogue')).consecutive_failures).toBe(0);
  expect((await sb.call('status', {})).isError).toBe(false);
});

test('three refused routes quarantine a butler; the health check re-activates it once it listens', async () => {
  await sb.call('registry_register', { name: 'ghost', endpoint_url: `http://127.0.0.1:${DEAD}/mcp`, routable: true });
  for (let i = 1; i <= 3; i++) {
    const r = await sb.call('route', { target_butler: 'ghost', tool_name: 'status', tag: 'rt-ghost' });
    expect(r.sc).toMatchObject({ ok: false, error: 'target_unavailable', error_class: 'connection_refused' });
  }
  const q = await registry('ghost');
  expect(q).toMatchObject({ eligibility_state: 'quarantined', consecutive_failures: 3 });
  expect(q.quarantined_at).not.toBeNull();
  expect(q.quarantine_reason).toContain('connection_refused');
  expect(sb.lines.filter((l) => l.event === 'registry.quarantined' && l.target_butler === 'ghost')).toEqual([expect.objectContaining({ level: 40 })]);
  const fourth = await sb.call('route', { target_butler: 'ghost', tool_name: 'status', tag: 'rt-ghost' });
  expect(fourth.sc).toMatchObject({ ok: false, error: 'target_quarantined' });
  expect((await logRows('rt-ghost')).map((r) => [r.status, r.client_reused])).toEqual([
    ['target_unavailable', false], ['target_unavailable', false], ['target_unavailable', false], ['target_quarantined', false],
  ]);

  const stillDead = await sb.call('registry_health_check', { names: ['ghost'] });
  expect(stillDead.sc.checked).toEqual([expect.objectContaining({ name: 'ghost', ok: false, eligibility_state: 'quarantined', reactivated: false })]);

  // Something answers on the ghost's port now: any butler's status will do.
  const general = await startButler({ cluster, dir: dir.dir, butler: 'general', port: DEAD, dbName: 'rt_general', overlay: `[switchboard]\nurl = "${sb.daemon.endpointUrl}"\n` });
  extra.push(general);
  const check = await sb.call('registry_health_check', {});
  expect(check.sc.reactivated).toContain('ghost');
  expect(await registry('ghost')).toMatchObject({ eligibility_state: 'active', consecutive_failures: 0, quarantined_at: null, quarantine_reason: null });
  expect(sb.lines.filter((l) => l.event === 'registry.reactivated' && l.target_butler === 'ghost')).toHaveLength(1);
  expect((await sb.call('route', { target_butler: 'ghost', tool_name: 'status', tag: 'rt-ghost' })).sc).toMatchObject({ ok: true, result: { butler: 'general' } });
});

test('a restarted target makes the cached client stale: recreated, retried once, logged', async () => {
  await sb.call('route', { target_butler: 'health', tool_name: 'status', tag: 'rt-restart' });
  await health.close();
  health = await startHealth();
  const before = statusCalls(health);
  const r = await sb.call('route', { target_butler: 'health', tool_name: 'status', tag: 'rt-restart' });
  expect(r.sc).toMatchObject({ ok: true, client: 'new' });
  expect(sb.lines.filter((l) => l.event === 'route.client_stale' && l.target_butler === 'health')).toEqual([expect.objectContaining({ level: 40 })]);
  expect(statusCalls(health)).toBe(before + 1);
  expect((await logRows('rt-restart')).map((x) => [x.status, x.client_reused])).toEqual([['success', true], ['success', false]]);
});

test('shutdown closes every cached client and reports how many', async () => {
  await sb.call('route', { target_butler: 'health', tool_name: 'status' });
  const cached = (await sb.call('status', {})).sc.router.cached_clients;
  expect(cached).toBeGreaterThanOrEqual(2);
  await sb.close();
  expect(sb.lines.find((l) => l.event === 'butler.shutdown')).toMatchObject({ clients_closed: cached });
});
