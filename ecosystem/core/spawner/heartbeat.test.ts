import { expect, test } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startFakeMcpServer, type FakeMcpServer, type FakeTool } from '../../testing/fake-mcp-server.ts';
import { SwitchboardClient } from './switchboard-client.ts';
import { startButler, startWorld, type TestButler, type TestWorld } from '../../testing/spawner-world.ts';
import { testPort } from '../../../staging/ports.ts';

// Ports 8530-8532 (at the default E2E_PORT_BASE; testPort moves them) are this file's block: health, heartbeat, the fake switchboard.
const ROOT_TRACE = '00-33333333333333333333333333333333-4444444444444444-01';
let w: TestWorld;
let health: TestButler;
let hb: TestButler;
let sb: FakeMcpServer;
let toHealth: Client;
const tools: FakeTool[] = [];

test.beforeAll(async () => {
  w = await startWorld();
  health = await startButler(w, { roster: 'roster/health', port: testPort(8530), dbName: 't_hb_health' });
  toHealth = new Client({ name: 'fake-switchboard', version: '1' });
  await toHealth.connect(new StreamableHTTPClientTransport(new URL(health.daemon.endpointUrl)));
  // A stand-in switchboard: registry_list and route as docs/ecosystem.md §8.5/8.6 describe them.
  tools.push(
    { name: 'registry_register', handler: async () => ({ value: { registered: true } }) },
    {
      name: 'registry_list',
      handler: async () => ({
        value: { entries: ['heartbeat', 'health', 'ghost'].map((name) => ({ name, eligibility_state: 'active' })).concat([{ name: 'benched', eligibility_state: 'quarantined' }]) },
      }),
    },
    {
      name: 'route',
      handler: async (args, call) => {
        if (args.target_butler !== 'health') {
          return { value: { ok: false, error: 'target_unavailable', error_class: 'connection_refused', message: `${args.target_butler} refused`, duration_ms: 1 } };
        }
        const res = await toHealth.callTool({ name: String(args.tool_name), arguments: args.args as Record<string, unknown>, _meta: { traceparent: String(call.meta.traceparent) } }, undefined, { timeout: 60_000 });
        return { value: { ok: true, result: res.structuredContent, duration_ms: 5, client: 'new', route_contract_version: 'v1' } };
      },
    },
  );
  sb = await startFakeMcpServer(testPort(8532), tools);
  hb = await startButler(w, { roster: 'roster/heartbeat', port: testPort(8531), dbName: 't_hb_heartbeat', overlay: `[switchboard]\nurl = "${sb.url}"` });
});
test.afterAll(async () => {
  await hb?.close();
  await toHealth?.close().catch(() => undefined);
  await health?.close();
  await sb?.close();
  await w?.close();
});

test('the heartbeat cycle routes trigger to every active butler but itself, through the switchboard only', async () => {
  await hb.db.query(`UPDATE scheduled_tasks SET due_at = now() - interval '1 minute' WHERE name = 'heartbeat-cycle'`);
  const before = sb.calls.length;
  const res = await hb.call('tick', {}, { traceparent: ROOT_TRACE });
  expect(res.skipped_running).toEqual([]);
  expect(res.ran).toHaveLength(1);
  const [run] = res.ran;
  expect(run).toMatchObject({ name: 'heartbeat-cycle', status: 'completed' });
  expect(run.session_id).toBeUndefined();
  expect(run.targets).toEqual([
    { butler: 'health', ok: true, session_id: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    { butler: 'ghost', ok: false, error: 'target_unavailable' },
  ]);

  const calls = sb.calls.slice(before);
  expect(calls.map((c) => c.name).sort()).toEqual(['registry_list', 'route', 'route']);
  for (const c of calls.filter((x) => x.name === 'route')) {
    expect(c.args).toMatchObject({ tool_name: 'trigger', origin: 'heartbeat', tag: `hb:${run.run_id}`, args: { trigger_source: 'heartbeat', tag: `hb:${run.run_id}` } });
    expect(String(c.meta.traceparent)).toMatch(/^00-33333333333333333333333333333333-/);
    expect(c.headers['x-butlers-session-token']).toBeUndefined();
  }
  // registry_health_check is missing on this switchboard: logged, not fatal.
  expect(hb.logs.some((l) => l.event === 'heartbeat.health_check_unavailable')).toBe(true);

  const s = (await health.db.query('SELECT * FROM sessions WHERE session_id = $1', [run.targets[0].session_id])).rows[0];
  expect(s).toMatchObject({ trigger_source: 'heartbeat', tag: `hb:${run.run_id}`, status: 'completed', trace_id: '33333333333333333333333333333333' });
  const t = (await hb.db.query(`SELECT * FROM scheduled_tasks WHERE name = 'heartbeat-cycle'`)).rows[0];
  expect(t.status).toBe('completed');
  expect(t.last_error).toContain('ghost (target_unavailable');
  expect(t.last_session_id).toBeNull();
  expect(t.due_at.getTime()).toBeGreaterThan(Date.now());
  // No local session on the heartbeat.
  expect((await hb.db.query('SELECT count(*)::int AS n FROM sessions')).rows[0].n).toBe(0);

  // Right after: nothing due.
  expect(await hb.call('tick')).toEqual({ ran: [], skipped_running: [] });
});

test('a named target gets one route; when every target fails the task is error and lists them', async () => {
  const { task } = await hb.call('schedule_create', { name: 'hb-ghost', cron: '*/10 * * * *', prompt: 'Anything pending?', target: 'ghost' });
  await hb.db.query(`UPDATE scheduled_tasks SET due_at = now() - interval '1 minute' WHERE id = $1`, [task.id]);
  const before = sb.calls.length;
  const res = await hb.call('tick');
  expect(res.ran).toEqual([expect.objectContaining({ task_id: task.id, status: 'error', targets: [{ butler: 'ghost', ok: false, error: 'target_unavailable' }] })]);
  expect(sb.calls.slice(before).map((c) => c.name)).toEqual(['route']);
  const t = (await hb.db.query('SELECT status, last_error FROM scheduled_tasks WHERE id = $1', [task.id])).rows[0];
  expect(t).toEqual({ status: 'error', last_error: 'failed targets: ghost (target_unavailable: ghost refused)' });
});

test('the switchboard client survives a restart of its server: a 404 session is rebuilt and the call retried once', async () => {
  const client = new SwitchboardClient(health.daemon.endpointUrl, 'hb-test');
  try {
    expect((await client.call('status', {}, {}, 10_000)).structuredContent).toMatchObject({ butler: 'health' });
    await health.close();
    health = await startButler(w, { roster: 'roster/health', port: testPort(8530), dbName: 't_hb_health' });
    expect((await client.call('status', {}, {}, 10_000)).structuredContent).toMatchObject({ butler: 'health', pid: process.pid });
    await expect(client.call('no_such_tool', {}, {}, 10_000)).rejects.toThrow(/not found/);
  } finally {
    expect(await client.close()).toBe(1);
  }
});
