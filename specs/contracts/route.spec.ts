import type pg from 'pg';
import { ROUTE_CONTRACT_VERSION, RouteResult } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';
import { newTraceparent } from '../../staging/mcp/client.ts';

/**
 * The route contract (contracts spec §5, docs/ecosystem.md §8.5) through the
 * running switchboard: the registry row's `route_contract_version`,
 * `eligibility_state` and `last_seen_at` decide what `route` does before the
 * target is called. Rows are edited by SQL after `faults.registry('health')`
 * took its snapshot, so they are put back after each test.
 */

const routeStatus = async (sb: McpHandle, tag: string) => {
  const out = await sb.callTool('route', { target_butler: 'health', tool_name: 'status', tag });
  return { isError: out.isError, r: RouteResult.parse(out.data), data: out.data as Record<string, unknown> };
};

type LogRow = { tool_name: string; status: string; error_class: string | null; preflight: boolean; route_contract_version: string | null };
const routingRows = async (sb: pg.Pool, tag: string): Promise<LogRow[]> =>
  (await sb.query('select tool_name, status, error_class, preflight, route_contract_version from routing_log where tag = $1 order by created_at', [tag])).rows;

const setRow = (sb: pg.Pool, set: string, params: unknown[] = []) => sb.query(`update butler_registry set ${set}, updated_at = now() where name = 'health'`, params);

/** Seen just now, so no pre-flight call muddles what a test counts (the snapshot puts the old value back). */
const seenNow = (sb: pg.Pool) => setRow(sb, 'last_seen_at = now()');

const mismatches = (logs: { window(): { event?: string; [k: string]: unknown }[] }, tag: string) =>
  logs.window().filter((l) => l.event === 'route.contract_version_mismatch' && l.tag === tag);

test('CON-34 a registry row at v1 routes status ok, logs version v1 in routing_log and warns about no mismatch', async ({ mcp, sql, faults, logs, tag }) => {
  const before = await faults.registry('health');
  expect(before.route_contract_version, 'the booted registry row speaks the router\'s version').toBe(ROUTE_CONTRACT_VERSION);
  await seenNow(sql('switchboard'));
  const { r } = await routeStatus(await mcp('switchboard'), tag);
  expect(r).toMatchObject({ ok: true, route_contract_version: 'v1' });
  if (r.ok) expect(r.result).toMatchObject({ butler: 'health' });
  expect(await routingRows(sql('switchboard'), tag)).toEqual([{ tool_name: 'status', status: 'success', error_class: null, preflight: false, route_contract_version: 'v1' }]);
  // The window holds this route's own result line, so the absence of a warning below is not an empty window.
  expect((await logs.waitFor((l) => l.event === 'route.result' && l.tag === tag)).map((l) => l.status)).toEqual(['success']);
  expect(mismatches(logs, tag)).toEqual([]);
  logs.expectNoUnexpectedErrors();
});

test('CON-35 a registry row advertising v2 is still routed (forward compatible): ok, one route.contract_version_mismatch warning naming v2, routing_log version v2', async ({ mcp, sql, faults, spans, logs, tag }) => {
  await faults.registry('health'); // version and row put back after the test
  await setRow(sql('switchboard'), `route_contract_version = 'v2', last_seen_at = now()`);
  const { isError, r } = await routeStatus(await mcp('switchboard'), tag);
  expect(isError).toBe(false);
  expect(r).toMatchObject({ ok: true, route_contract_version: 'v2' });
  if (r.ok) expect(r.result, 'the call really reached health').toMatchObject({ butler: 'health' });
  const warned = mismatches(logs, tag);
  expect(warned.map((l) => ({ level: l.level, butler: l.butler, target_butler: l.target_butler, route_contract_version: l.route_contract_version, expected: l.expected })))
    .toEqual([{ level: 40, butler: 'switchboard', target_butler: 'health', route_contract_version: 'v2', expected: ROUTE_CONTRACT_VERSION }]);
  expect(await routingRows(sql('switchboard'), tag)).toEqual([{ tool_name: 'status', status: 'success', error_class: null, preflight: false, route_contract_version: 'v2' }]);
  // Routing proceeded: health served the status call in this test's trace.
  await spans.waitFor((s) => s.some((x) => x.name === 'tool:status' && x.service === 'butler-health'), { what: 'the status span at health' });
  logs.expectNoUnexpectedErrors();
});

test('CON-36 a quarantined registry row is target_quarantined: the proxy sees no connection, health runs no status, routing_log says target_quarantined', async ({ mcp, sql, faults, spans, logs, tag }) => {
  const before = await faults.registry('health');
  await setRow(sql('switchboard'), `eligibility_state = 'quarantined', quarantined_at = now(), quarantine_reason = $1, last_seen_at = now()`, [`set by ${tag}`]);
  const proxy = faults.proxy('health');
  const sb = await mcp('switchboard');
  const connections = proxy.stats().connections;
  const { isError, r } = await routeStatus(sb, tag);
  expect(isError).toBe(true);
  expect(r).toMatchObject({ ok: false, error: 'target_quarantined', error_class: 'target_quarantined' });
  expect(proxy.stats().connections, 'the fault proxy in front of health saw no new connection').toBe(connections);
  expect(await routingRows(sql('switchboard'), tag)).toEqual([
    { tool_name: 'status', status: 'target_quarantined', error_class: 'target_quarantined', preflight: false, route_contract_version: before.route_contract_version },
  ]);
  // Refusing is no transport failure: the counter is left alone.
  const { rows: [row] } = await sql('switchboard').query(`select eligibility_state, consecutive_failures from butler_registry where name = 'health'`);
  expect(row).toEqual({ eligibility_state: 'quarantined', consecutive_failures: before.consecutive_failures });

  // The switchboard's own span of the route arrived; then a status call on health in another trace proves
  // health's exporter has flushed past this point, so a status span of ours would be in by now.
  await spans.waitFor((s) => s.some((x) => x.name === 'tool:route' && x.service === 'butler-switchboard'), { what: 'the route span at the switchboard' });
  const probeTrace = newTraceparent();
  await (await mcp('health')).callTool('status', {}, { meta: { traceparent: probeTrace } });
  await spans.waitFor((s) => s.some((x) => x.name === 'tool:status' && x.service === 'butler-health'), { traceId: probeTrace.split('-')[1], what: 'the probe status span at health' });
  expect(spans.get({ name: 'tool:status', service: 'butler-health' }), 'no tool:status span on health in this test\'s trace').toEqual([]);
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.event === 'route.failed' && l.tag === tag && l.error === 'target_quarantined'] });
});

test('CON-37 a row last seen a day ago gets a pre-flight status first: ok with preflight true and last_seen_at refreshed; with the target refusing, target_unavailable and no main call', async ({ mcp, sql, faults, spans, logs, tag }) => {
  const before = await faults.registry('health');
  const reg = sql('switchboard');
  const sb = await mcp('switchboard');
  await setRow(reg, `last_seen_at = now() - interval '1 day', consecutive_failures = 0`);
  const { rows: [{ now: sentAt }] } = await reg.query('select now()');

  const first = await routeStatus(sb, tag);
  expect(first.r).toMatchObject({ ok: true, route_contract_version: before.route_contract_version });
  expect(first.data.preflight, 'the result says a pre-flight ran').toBe(true);
  const { rows: [seen] } = await reg.query(`select last_seen_at from butler_registry where name = 'health'`);
  expect((seen.last_seen_at as Date).getTime(), 'last_seen_at refreshed by the route').toBeGreaterThanOrEqual((sentAt as Date).getTime());
  // Pre-flight then the main call: health served two status calls for this one route.
  await spans.waitFor((s) => s.filter((x) => x.name === 'tool:status' && x.service === 'butler-health').length >= 2, { what: 'pre-flight and main status spans at health' });
  const atHealth = spans.get({ name: 'tool:status', service: 'butler-health' }).sort((a, b) => a.startMs - b.startMs);
  expect(atHealth).toHaveLength(2);
  expect(atHealth[1].startMs, 'the main call started after the pre-flight').toBeGreaterThanOrEqual(atHealth[0].startMs);

  // Stale again, and the endpoint refuses: the pre-flight fails and the main call is never made.
  const refusedTag = `${tag}-refused`;
  await setRow(reg, `last_seen_at = now() - interval '1 day', consecutive_failures = 0`);
  await faults.proxy('health').refuse();
  const second = await routeStatus(sb, refusedTag);
  expect(second.isError).toBe(true);
  expect(second.r).toMatchObject({ ok: false, error: 'target_unavailable', error_class: 'connection_refused' });
  expect(second.data.preflight).toBe(true);
  if (!second.r.ok) expect(second.r.message).toMatch(/pre-flight/);
  // One failed call counted, not two: a main call after the failed pre-flight would have failed and counted as well.
  const { rows: [after] } = await reg.query(`select consecutive_failures, eligibility_state from butler_registry where name = 'health'`);
  expect(after).toEqual({ consecutive_failures: 1, eligibility_state: 'active' });
  expect(await routingRows(reg, tag)).toEqual([{ tool_name: 'status', status: 'success', error_class: null, preflight: true, route_contract_version: before.route_contract_version }]);
  expect(await routingRows(reg, refusedTag)).toEqual([
    { tool_name: 'status', status: 'target_unavailable', error_class: 'connection_refused', preflight: true, route_contract_version: before.route_contract_version },
  ]);
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.event === 'route.failed' && l.tag === refusedTag] });
});
