import { DispatchResult, RouteResult } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';

/**
 * Faults on the wire between the switchboard and a butler, made by the fault
 * proxy that stands at each butler's advertised URL (docs/resilience.md). The
 * harness's own clients talk to the real port, so only routed traffic is hit.
 */
const route = async (sb: { callTool: Function }, tag: string, extra: Record<string, unknown> = {}) => {
  const out = await sb.callTool('route', { target_butler: 'health', tool_name: 'status', tag, ...extra });
  return RouteResult.parse(out.data);
};

test('RES-05 a refused butler is target_unavailable; once the port answers again the next route opens a new client', async ({ mcp, faults, logs, tag }) => {
  const sb = await mcp('switchboard');
  expect(await route(sb, tag)).toMatchObject({ ok: true });
  await faults.proxy('health').refuse();
  expect(await route(sb, tag)).toMatchObject({ ok: false, error: 'target_unavailable' });
  await faults.proxy('health').pass();
  expect(await route(sb, tag)).toMatchObject({ ok: true, client: 'new' });
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.event === 'route.failed' && l.target_butler === 'health'] });
});

test('RES-10 route_cache_clear makes the next route open a new client', async ({ mcp, tag }) => {
  const sb = await mcp('switchboard');
  await route(sb, tag);
  expect(await route(sb, tag)).toMatchObject({ ok: true, client: 'cached' });
  await sb.call('route_cache_clear', { target_butler: 'health' });
  expect(await route(sb, tag)).toMatchObject({ ok: true, client: 'new' });
});

test('RES-08 a connection reset mid-answer is target_unavailable and a routed trigger is not replayed', async ({ mcp, faults, sql, model, logs, tag }) => {
  model.requireDouble();
  const sb = await mcp('switchboard');
  await route(sb, tag); // a cached client, so the reset hits an open keep-alive connection too
  const proxy = faults.proxy('health');
  await proxy.resetAfter(200);
  expect(await route(sb, tag)).toMatchObject({ ok: false, error: 'target_unavailable' });
  const trig = RouteResult.parse((await sb.callTool('route', { target_butler: 'health', tool_name: 'trigger', args: { prompt: 'Log weight 80kg', trigger_source: 'test', tag }, tag })).data);
  expect(trig).toMatchObject({ ok: false, error: 'target_unavailable' });
  expect(proxy.stats().resets, 'the proxy really cut connections').toBeGreaterThan(0);
  await proxy.pass();
  // The session may have started before the answer was cut; it must not have run twice.
  await expect.poll(async () => (await sql('health').query(`select status from sessions where tag = $1 and status = 'running'`, [tag])).rowCount, { timeout: 30_000 }).toBe(0);
  const { rows } = await sql('health').query('select session_id from sessions where tag = $1', [tag]);
  expect(rows.length, 'at most one session for the tag: no replay').toBeLessThanOrEqual(1);
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.event === 'route.failed' && l.target_butler === 'health'] });
});

const ROUTE_TIMEOUT_MS = 6000;

test('RES-11 a blackholed butler times out inside a dispatch while the other subrequest succeeds', async ({ mcp, faults, sql, model, logs, tag }) => {
  model.require();
  test.setTimeout(90_000);
  await faults.proxy('health').blackhole();
  const d = await (await mcp('switchboard')).call(
    'dispatch',
    {
      entries: [
        { butler: 'health', prompt: 'Log weight 80kg', segment: {} },
        { butler: 'relationship', prompt: `Add a contact named Blackhole-${tag}`, segment: {} },
      ],
      tag,
      // The spec's 2000 ms, with room for relationship's real session on a loaded machine: the
      // guarantee is that the blackholed target times out at the deadline while the other succeeds.
      timeout_ms: ROUTE_TIMEOUT_MS,
    },
    DispatchResult,
    { timeoutMs: 60_000 },
  );
  const by = Object.fromEntries(d.outcomes.map((o) => [o.butler, o]));
  expect(by.health).toMatchObject({ status: 'timeout' });
  expect(by.health.duration_ms).toBeGreaterThanOrEqual(ROUTE_TIMEOUT_MS);
  expect(by.relationship, JSON.stringify(d.outcomes)).toMatchObject({ status: 'success' });
  const { rows } = await sql('switchboard').query('select target_butler, status from routing_log where tag = $1 order by target_butler', [tag]);
  expect(rows).toEqual([
    { target_butler: 'health', status: 'timeout' },
    { target_butler: 'relationship', status: 'success' },
  ]);
  logs.expectNoUnexpectedErrors({ allow: [(l) => /route|dispatch/.test(String(l.event)) && (l.target_butler === 'health' || l.butler === 'switchboard')] });
});
