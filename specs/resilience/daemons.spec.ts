import type pg from 'pg';
import { RouteResult } from '../../contracts/index.ts';
import { expect, results, test } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * Butler processes that die, stop or restart under the switchboard
 * (docs/resilience.md, Chaos): every failure is a precise route status, the
 * switchboard keeps answering, and quarantine heals through the heartbeat.
 */

const route = async (sb: McpHandle, tag: string, tool = 'status', args: Record<string, unknown> = {}, timeoutMs?: number) =>
  RouteResult.parse((await sb.callTool('route', { target_butler: 'health', tool_name: tool, args, tag }, timeoutMs ? { timeoutMs } : undefined)).data);

const registry = async (sb: pg.Pool, name = 'health') =>
  (await sb.query('select eligibility_state, consecutive_failures, quarantine_reason, endpoint_url from butler_registry where name = $1', [name])).rows[0];

/** Puts health's registry row back to active, whatever a failed test left (the router counts failures there). */
const activate = (sb: pg.Pool) =>
  sb.query(`update butler_registry set eligibility_state = 'active', consecutive_failures = 0, quarantined_at = null, quarantine_reason = null where name = 'health'`);

const alive = (pid: number | null) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const routeLogged = (l: { event?: unknown; target_butler?: unknown }) => /^route\.|^registry\./.test(String(l.event)) && l.target_butler === 'health';

test('RES-04 a butler killed while a routed trigger is in flight is target_unavailable with an error class; the switchboard answers', async ({ mcp, sql, model, chaos, logs, tag }) => {
  const control = model.requireDouble();
  await model.fault({ match: { butler: 'health', tag }, action: 'hold' });
  const sb = await mcp('switchboard');
  const inFlight = route(sb, tag, 'trigger', { prompt: 'Log weight 80kg', trigger_source: 'test', tag }, 60_000);
  await control.waitForHeld({ butler: 'health' }, 30_000);
  await chaos.kill('health');
  const r = await inFlight;
  expect(r).toMatchObject({ ok: false, error: 'target_unavailable' });
  if (r.ok) return;
  expect(r.error_class.length).toBeGreaterThan(0);
  const { rows } = await sql('switchboard').query('select status, error_class from routing_log where tag = $1 and target_butler = $2', [tag, 'health']);
  expect(rows).toEqual([{ status: 'target_unavailable', error_class: r.error_class }]);
  expect((await sb.call('status', {}, results.StatusResult)).butler).toBe('switchboard');
  // The crash leaves nothing behind: the orphaned session process ends itself, the restarted daemon closes its row.
  const session = (await sql('health').query('select session_id, runtime_pid from sessions where tag = $1', [tag])).rows;
  expect(session, 'the held session had started').toHaveLength(1);
  await expect.poll(() => alive(session[0].runtime_pid), { message: 'orphaned session process still alive', timeout: 15_000 }).toBe(false);
  await chaos.restart('health');
  expect((await sql('health').query('select status, error from sessions where tag = $1', [tag])).rows).toEqual([{ status: 'error', error: 'interrupted' }]);
  logs.expectNoUnexpectedErrors({ allow: [routeLogged, (l) => l.butler === 'health'] });
});

test('RES-09 a butler restarted under a cached client: the next route succeeds on a new client, logs route.client_stale, runs once', async ({ mcp, butlers, spans, logs, tag }) => {
  const sb = await mcp('switchboard');
  await route(sb, tag);
  expect(await route(sb, tag)).toMatchObject({ ok: true, client: 'cached' });
  const atHealth = () => spans.get({ name: 'tool:status', service: 'butler-health' }).length;
  await spans.waitFor(() => atHealth() === 2, { what: 'two status spans at health' });
  await butlers.restart('health');
  expect(await route(sb, tag)).toMatchObject({ ok: true, client: 'new' });
  await expect.poll(() => logs.window().filter((l) => l.event === 'route.client_stale' && l.target_butler === 'health').length).toBe(1);
  // The stale attempt never reached the new process: one status span at health for the third route, not two.
  // A replayed execution would have run before the answered one, in the same process: exported with it or earlier.
  await spans.waitFor(() => atHealth() >= 3, { what: 'the third status span at health' });
  await spans.waitForNames({ 'tool:route': 3 });
  expect(atHealth()).toBe(3);
});

test('RES-34 SIGTERM stops a butler gracefully: routes fail target_unavailable until it starts again', async ({ mcp, chaos, logs, tag }) => {
  const sb = await mcp('switchboard');
  expect(await route(sb, tag)).toMatchObject({ ok: true });
  await chaos.stop('health');
  const down = await route(sb, tag, 'trigger', { prompt: 'Log weight 80kg', trigger_source: 'test', tag });
  expect(down).toMatchObject({ ok: false, error: 'target_unavailable' });
  await chaos.restart('health');
  expect(await route(sb, tag)).toMatchObject({ ok: true });
  logs.expectNoUnexpectedErrors({ allow: [routeLogged] });
});

test('RES-28 three failures quarantine a butler; a restart does not lift it; the heartbeat health check does', async ({ mcp, sql, model, chaos, logs, tag }) => {
  model.require();
  test.setTimeout(240_000);
  const sb = await mcp('switchboard');
  const reg = sql('switchboard');
  try {
    expect(await route(sb, tag)).toMatchObject({ ok: true });
    await chaos.kill('health');
    for (let i = 1; i <= 3; i++) {
      expect(await route(sb, tag), `failure ${i}`).toMatchObject({ ok: false, error: 'target_unavailable' });
    }
    expect(await registry(reg)).toMatchObject({ eligibility_state: 'quarantined', consecutive_failures: 3 });
    expect((await registry(reg)).quarantine_reason).toBeTruthy();
    expect(await route(sb, tag), 'the fourth route is refused without trying').toMatchObject({ ok: false, error: 'target_quarantined' });

    await chaos.restart('health');
    expect((await registry(reg)).eligibility_state, 're-registration does not lift quarantine').toBe('quarantined');
    expect(await route(sb, tag)).toMatchObject({ ok: false, error: 'target_quarantined' });

    await sql('heartbeat').query(`update scheduled_tasks set due_at = now() - interval '1 minute' where name = 'heartbeat-cycle'`);
    const tick = await (await mcp('heartbeat')).call('tick', {}, results.TickResult, { timeoutMs: 200_000 });
    expect(tick.ran.map((r) => r.name)).toContain('heartbeat-cycle');
    expect((await registry(reg)).eligibility_state, 'active again after the cycle').toBe('active');
    expect(await logs.waitFor((l) => l.event === 'registry.reactivated' && l.target_butler === 'health')).toHaveLength(1);
    expect(await route(sb, tag)).toMatchObject({ ok: true });
  } finally {
    await activate(reg);
  }
  logs.expectNoUnexpectedErrors({ allow: [routeLogged, /^heartbeat\./] });
});
