import type { Pool } from 'pg';
import type { ToolDef } from '../../ecosystem/core/tool.ts';
import { createButlerDb } from '../../ecosystem/testing/butler-db.ts';
import { expect, test } from '../../ecosystem/testing/roster-fixtures.ts';
import { callTool, fakeContext, loadButlerTools } from '../../ecosystem/testing/roster-tools.ts';

let db: Pool;
let tools: ToolDef[];
const ctx = () => fakeContext('switchboard', db, null);

test.beforeAll(async ({ cluster }) => {
  db = await createButlerDb(cluster, 'switchboard');
  tools = await loadButlerTools('switchboard');
});
test.afterAll(async () => {
  await db?.end();
});

const health = {
  name: 'health',
  endpoint_url: 'http://127.0.0.1:8103/mcp',
  description: 'Health tracker',
  capabilities: ['weight', 'blood pressure'],
  tools: ['measurement_log'],
};

test('registry_register creates an active entry with last_seen_at', async () => {
  const res = await callTool(tools, 'registry_register', health, ctx());
  expect(res.created).toBe(true);
  expect(res.entry).toMatchObject({
    name: 'health',
    endpoint_url: 'http://127.0.0.1:8103/mcp',
    capabilities: ['weight', 'blood pressure'],
    tools: ['measurement_log'],
    routable: true,
    route_contract_version: 'v1',
    eligibility_state: 'active',
    consecutive_failures: 0,
  });
  const stored = await db.query(`select last_seen_at > now() - interval '1 minute' as fresh from butler_registry where name = 'health'`);
  expect(stored.rows).toEqual([{ fresh: true }]);
});

test('registry_register upserts; a quarantined entry stays quarantined', async () => {
  await callTool(tools, 'registry_set_eligibility', { name: 'health', state: 'quarantined', reason: 'refused' }, ctx());
  await db.query(`update butler_registry set last_seen_at = now() - interval '1 hour' where name = 'health'`);
  const res = await callTool(tools, 'registry_register', { ...health, endpoint_url: 'http://127.0.0.1:9999/mcp' }, ctx());
  expect(res.created).toBe(false);
  expect(res.entry).toMatchObject({ endpoint_url: 'http://127.0.0.1:9999/mcp', eligibility_state: 'quarantined', quarantine_reason: 'refused' });
  const stored = await db.query(`select count(*)::int as n, bool_and(last_seen_at > now() - interval '1 minute') as fresh from butler_registry where name = 'health'`);
  expect(stored.rows[0]).toEqual({ n: 1, fresh: true });
});

test('registry_list hides quarantined entries unless include_ineligible', async () => {
  await callTool(tools, 'registry_register', { name: 'general', endpoint_url: 'http://127.0.0.1:8101/mcp' }, ctx());
  const active = await callTool(tools, 'registry_list', {}, ctx());
  expect((active.entries as { name: string }[]).map((e) => e.name)).toEqual(['general']);
  const all = await callTool(tools, 'registry_list', { include_ineligible: true }, ctx());
  expect((all.entries as { name: string }[]).map((e) => e.name)).toEqual(['general', 'health']);
});

test('registry_set_eligibility active resets the failure counter and clears the quarantine', async () => {
  await db.query(`update butler_registry set consecutive_failures = 3 where name = 'health'`);
  const res = await callTool(tools, 'registry_set_eligibility', { name: 'health', state: 'active' }, ctx());
  expect(res.entry).toMatchObject({ eligibility_state: 'active', consecutive_failures: 0, quarantined_at: null, quarantine_reason: null });
  const stored = await db.query(`select eligibility_state, consecutive_failures from butler_registry where name = 'health'`);
  expect(stored.rows).toEqual([{ eligibility_state: 'active', consecutive_failures: 0 }]);
});

test('registry_set_eligibility on an unknown butler is not_found', async () => {
  await expect(callTool(tools, 'registry_set_eligibility', { name: 'nobody', state: 'active' }, ctx())).rejects.toMatchObject({ code: 'not_found' });
});

test('switchboard tools: only registry_list is for all; the pipeline and registry mutations are operator-only', () => {
  const audience = Object.fromEntries(tools.map((t) => [t.name, t.audience ?? 'all']));
  expect(audience).toEqual({
    registry_register: 'operator', registry_list: 'all', registry_set_eligibility: 'operator', registry_health_check: 'operator',
    route: 'operator', route_cache_clear: 'operator', ingest: 'operator', classify: 'operator', dispatch: 'operator',
  });
});
