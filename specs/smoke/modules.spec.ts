import { test, expect, results } from './gate.ts';
import { discoverRoster, rosterDir } from '../../staging/roster.ts';
import { checkOwnTools } from './checks.ts';
import { CORE_TOOLS, MODULE_TOOLS, ROSTER_TOOLS, expectedModuleStatus } from './expected-schema.ts';

for (const entry of discoverRoster(rosterDir())) {
  test(`SMK-05 ${entry.name} reports the staging module statuses`, async ({ ecosystem, mcp }) => {
    test.skip(!ecosystem.butlers[entry.name], `${entry.name} did not boot (see SMK-01)`);
    const status = await (await mcp(entry.name)).call('status', {}, results.StatusResult);
    expect(Object.keys(status.modules).sort(), 'exactly the enabled modules').toEqual([...entry.modules].sort());
    for (const m of entry.modules) {
      const want = expectedModuleStatus(m, ecosystem.postgres.hasPgvector);
      const got = status.modules[m];
      expect({ status: got.status, phase: got.phase }, `${entry.name} module ${m}`).toEqual({ status: want.status, phase: want.phase });
      if (got.error) expect(got.error, 'module errors carry no credential values').not.toMatch(/sk-ant-|ghp_/);
    }
  });

  test(`SMK-06 ${entry.name} lists core tools, its own tools and only active module tools`, async ({ ecosystem, mcp }) => {
    test.skip(!ecosystem.butlers[entry.name], `${entry.name} did not boot (see SMK-01)`);
    const client = await mcp(entry.name);
    const tools = new Set((await client.listTools()).map((t) => t.name));
    const status = await client.call('status', {}, results.StatusResult);
    for (const t of CORE_TOOLS) expect(tools.has(t), `${entry.name} core tool ${t}`).toBe(true);
    for (const t of ROSTER_TOOLS[entry.name] ?? []) expect(tools.has(t), `${entry.name} roster tool ${t}`).toBe(true);
    // Whatever its tools/ folder defines, for a butler the requirements do not name as much as for the six.
    await checkOwnTools(client, entry);
    for (const [module, names] of Object.entries(MODULE_TOOLS)) {
      const active = status.modules[module]?.status === 'active';
      for (const t of names) expect(tools.has(t), `${entry.name}: ${t} listed iff ${module} is active`).toBe(active);
    }
    for (const t of ['telegram_send', 'email_send', 'calendar_list_events', 'calendar_create_event']) {
      expect(tools.has(t), `${t} must not be listed without credentials`).toBe(false);
    }
  });
}

test('SMK-07 failed modules leave messenger core and roster tools working', async ({ ecosystem, mcp, sql, tag }) => {
  test.skip(!ecosystem.butlers.messenger, 'messenger did not boot (see SMK-01)');
  const messenger = await mcp('messenger');
  const status = await messenger.call('status', {}, results.StatusResult);
  expect(Object.values(status.modules).some((m) => m.status === 'failed'), 'messenger has failed modules').toBe(true);

  const key = `${tag}:probe`;
  await messenger.call('state_set', { key, value: { probe: tag, n: 1 } });
  const got = await messenger.call('state_get', { key }, results.StateGetResult);
  expect(got).toMatchObject({ exists: true, value: { probe: tag, n: 1 } });

  const row = await messenger.call('notification_log', { channel: 'telegram', body: `smoke probe ${tag}` }, results.StoredRow);
  const { rows } = await sql('messenger').query('select channel, body, status, session_id from notification_log where id = $1', [row.id]);
  expect(rows).toEqual([{ channel: 'telegram', body: `smoke probe ${tag}`, status: 'queued', session_id: null }]);
});
