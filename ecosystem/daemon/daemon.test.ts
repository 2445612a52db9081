import { expect, test } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pg from 'pg';
import { StartupError } from '../core/startup-error.ts';
import { startThrowawayCluster, type ThrowawayCluster } from '../../staging/testing/throwaway-cluster.ts';
import { startDaemon, type DaemonHandle } from './daemon.ts';
import { logSink, makeTestRoster, type TestRoster } from '../testing/test-roster.ts';
import { testPort } from '../../staging/ports.ts';

// Ports 8352-8359 (at the default E2E_PORT_BASE; testPort moves them) are this file's block.
const GENERAL_PORT = testPort(8354);
const SPARE_PORT = testPort(8355);
const SB_PORT = testPort(8352);
const HEALTH_PORT = testPort(8353);

const REGISTRY_TOOL = `
import { z } from 'zod';
import { defineTool } from '@TOOL_TS@';
export default defineTool({
  name: 'registry_register', audience: 'operator', description: 'Register a butler.\\nUse when: never by a model.',
  input: { name: z.string(), endpoint_url: z.string(), description: z.string(), capabilities: z.array(z.string()),
    tools: z.array(z.string()), routable: z.boolean(), route_contract_version: z.string() },
  handler: async (a, ctx) => {
    await ctx.db.query('INSERT INTO reg (name, payload) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET payload = $2', [a.name, a]);
    return { registered: a.name };
  },
});`;

const HEALTH_TOOLS = `
import { z } from 'zod';
import { defineTool, ToolError } from '@TOOL_TS@';
export default [
  defineTool({ name: 'weigh', description: 'Log weight.\\nUse when: log weight.', input: { kg: z.number() },
    handler: async (a, ctx) => (await ctx.db.query('INSERT INTO weights (kg, session_id) VALUES ($1, $2) RETURNING kg, session_id', [a.kg, ctx.sessionId])).rows[0] }),
  defineTool({ name: 'admin_only', audience: 'operator', description: 'Operator.', input: {}, handler: async () => ({ ok: true }) }),
  defineTool({ name: 'slow', description: 'Slow.', input: { ms: z.number() }, handler: async (a) => { await new Promise((r) => setTimeout(r, a.ms)); return { slept: a.ms }; } }),
  defineTool({ name: 'explode', description: 'Fails.', input: {}, handler: async () => { throw new ToolError('nope', 'always fails'); } }),
];`;

const TG_LITERAL = '123456789:AAHk2mZ0abcdefghijklmnopqrstuvwxyz12';

let cluster: ThrowawayCluster;
let roster: TestRoster;
const started: DaemonHandle[] = [];

test.beforeAll(async () => {
  cluster = await startThrowawayCluster();
  roster = makeTestRoster();
});
test.afterAll(async () => {
  for (const d of started) await d.close();
  await cluster?.stop();
  roster?.remove();
});

function dbOverlay(name: string, port: number, extra = '', top = ''): string {
  return roster.overlay(name, `${top}[butler]\nport = ${port}\n[db]\nhost = "127.0.0.1"\nport = ${cluster.port}\nuser = "postgres"\nprovision = true\nname = "t_${name}"\n[log]\nlevel = "debug"\nworker = 3\n${extra}`);
}

async function connect(url: string, kind: 'mcp' | 'sse', headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'daemon-test', version: '1' });
  const transport = kind === 'mcp'
    ? new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } })
    : new SSEClientTransport(new URL(`${url}/sse`), { requestInit: { headers } });
  await client.connect(transport);
  return client;
}

test('boots, serves both transports, registers, enforces audience and shuts down', async () => {
  const sbDir = roster.add('switchboard', {
    toml: '[butler]\nname = "switchboard"\nport = 8100\ndescription = "Entry point."\nroutable = false\n',
    tools: { 'registry.ts': REGISTRY_TOOL },
    migrations: { '001_reg.sql': 'CREATE TABLE reg (name TEXT PRIMARY KEY, payload JSONB NOT NULL);' },
  });
  const sbLog = logSink();
  const sb = await startDaemon({ rosterDir: sbDir, overlayPath: dbOverlay('switchboard', SB_PORT), env: {}, destination: sbLog.stream });
  started.push(sb);

  const healthDir = roster.add('health', {
    toml: [
      '[butler]', 'name = "health"', 'port = 8103', 'description = "Health."', 'capabilities = ["weight"]',
      '[modules.telegram]', '[modules.email_digest]', '[modules.email]', '[modules.memory]',
      '[approval_gates]', 'mode = "conditional"', 'gated_tools = [{ tool = "admin_only", approval_mode = "always" }, { tool = "email_send", approval_mode = "conditional" }]',
      '[[schedule]]', 'name = "daily"', 'cron = "0 9 * * *"', 'prompt = "Summarise"',
      '[modules.calendar]', 'calendar_id = "primary"',
    ].join('\n'),
    tools: { 'health.ts': HEALTH_TOOLS },
    migrations: { '001_w.sql': 'CREATE TABLE weights (kg NUMERIC NOT NULL, session_id TEXT);' },
  });
  const hLog = logSink();
  const health = await startDaemon({
    rosterDir: healthDir,
    overlayPath: dbOverlay('health', HEALTH_PORT, `[switchboard]\nurl = "${sb.endpointUrl}"\n[approval_gates]\ntimeout_s = 15\n`, 'advertised_url = "http://127.0.0.1:9999/mcp"\n'),
    env: { BUTLER_TELEGRAM_TOKEN: 'short-canary-token', ANTHROPIC_API_KEY: 'sk-ant-test-canary-123' },
    destination: hLog.stream,
  });
  started.push(health);

  const hz = await fetch(`${health.url}/healthz`);
  expect(hz.status).toBe(200);
  expect(await hz.json()).toEqual({ butler: 'health', ready: true });

  for (const kind of ['mcp', 'sse'] as const) {
    const c = await connect(health.url, kind);
    const st = (await c.callTool({ name: 'status', arguments: {} })).structuredContent as Record<string, any>;
    expect(st).toMatchObject({ butler: 'health', port: HEALTH_PORT, endpoint_url: `http://127.0.0.1:${HEALTH_PORT}/mcp`, pid: process.pid });
    expect(st.daemon.uptime_seconds).toBeGreaterThan(0);
    expect(st.modules).toEqual({
      calendar: { status: 'failed', phase: 'credentials', error: expect.stringContaining('GOOGLE_OAUTH_CLIENT_ID is not set'), depends_on: [] },
      email: { status: 'failed', phase: 'credentials', error: 'EMAIL_ADDRESS is not set; EMAIL_PASSWORD is not set', depends_on: [] },
      email_digest: { status: 'failed', phase: 'dependency', error: 'depends on module email, which is failed (credentials)', depends_on: ['email'] },
      memory: { status: 'failed', phase: 'startup', error: expect.stringContaining('pgvector extension "vector" is not installed'), depends_on: [] },
      telegram: { status: 'failed', phase: 'credentials', error: 'BUTLER_TELEGRAM_TOKEN is malformed (expected <digits>:<35+ chars>)', depends_on: [] },
    });
    expect(st.db).toMatchObject({ name: 't_health', healthy: true, pool: { max: 10, waiting: 0 } });
    expect(st.spawner).toMatchObject({ busy: false, queue_depth: 0, current_session_id: null, model: 'claude-haiku-4-5-20251001' });
    expect(st.scheduler).toEqual({ auto_tick: true, tasks: 1 });
    expect(st.approvals).toEqual({ mode: 'conditional', gated_tools: ['admin_only'] });
    expect(st.router).toBeUndefined();
    await c.close();
  }

  // Operator view vs session view.
  const op = await connect(health.url, 'mcp');
  const names = (await op.listTools()).tools.map((t) => t.name);
  expect(names).toEqual(expect.arrayContaining(['status', 'state_get', 'approval_decide', 'weigh', 'admin_only', 'explode']));
  expect((await op.callTool({ name: 'explode', arguments: {} })).structuredContent).toEqual({ error: 'nope', message: 'always fails' });
  health.tokens.registerSessionToken('tok-0123456789abcdef', '11111111-1111-1111-1111-111111111111');
  const session = await connect(health.url, 'mcp', { 'x-butlers-session-token': 'tok-0123456789abcdef' });
  const seen = (await session.listTools()).tools.map((t) => t.name);
  expect(seen).toContain('state_get');
  expect(seen).not.toContain('admin_only');
  expect(seen).not.toContain('approval_decide');
  await expect(session.callTool({ name: 'admin_only', arguments: {} })).rejects.toThrow(/Tool admin_only not found/);
  expect((await session.callTool({ name: 'weigh', arguments: { kg: 80 } })).structuredContent).toEqual({ kg: '80', session_id: '11111111-1111-1111-1111-111111111111' });
  const forged = await fetch(`${health.url}/mcp`, { method: 'POST', headers: { 'x-butlers-session-token': 'made-up-token-000000', 'content-type': 'application/json' }, body: '{}' });
  expect(forged.status).toBe(401);

  // Registration: health through the switchboard's MCP endpoint, the switchboard in-process.
  await expect.poll(() => hLog.lines.some((l) => l.event === 'registry.registered'), { timeout: 10_000 }).toBe(true);
  const sbDb = new pg.Client({ connectionString: cluster.url('t_switchboard') });
  await sbDb.connect();
  await expect.poll(async () => (await sbDb.query('SELECT name FROM reg ORDER BY name')).rows.map((r) => r.name)).toEqual(['health', 'switchboard']);
  const { rows } = await sbDb.query(`SELECT payload FROM reg WHERE name = 'health'`);
  await sbDb.end();
  expect(rows[0].payload).toMatchObject({ endpoint_url: 'http://127.0.0.1:9999/mcp', capabilities: ['weight'], routable: true, route_contract_version: 'v1' });
  expect(rows[0].payload.tools).toEqual(expect.arrayContaining(['status', 'weigh', 'admin_only']));

  // Logs: lifecycle events, base fields, redaction.
  const ready = hLog.lines.find((l) => l.event === 'butler.ready');
  expect(ready).toMatchObject({ butler: 'health', worker: 3, pid: process.pid, port: HEALTH_PORT, endpoint: `http://127.0.0.1:${HEALTH_PORT}/mcp` });
  expect(hLog.lines.find((l) => l.event === 'module.failed' && l.module === 'telegram')).toMatchObject({ credentials: { BUTLER_TELEGRAM_TOKEN: true } });
  const text = JSON.stringify(hLog.lines);
  expect(text).not.toContain('short-canary-token');
  expect(text).not.toContain('sk-ant-test-canary-123');

  // SIGTERM path: an in-flight call finishes, new operator requests are refused meanwhile.
  const inFlight = op.callTool({ name: 'slow', arguments: { ms: 600 } });
  await expect.poll(() => health.registry.running).toBe(1);
  const closing = health.close('test');
  await expect.poll(async () => (await fetch(`${health.url}/healthz`)).status).toBe(503);
  expect((await fetch(`${health.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(503);
  expect((await inFlight).structuredContent).toEqual({ slept: 600 });
  await closing;
  expect(hLog.lines.find((l) => l.event === 'butler.shutdown')).toMatchObject({ reason: 'test', drained: true, level: 30 });
  await session.close().catch(() => undefined);
  await op.close().catch(() => undefined);
  await health.close('again');
  expect(hLog.lines.filter((l) => l.event === 'butler.shutdown')).toHaveLength(1);
  await expect(fetch(`${health.url}/healthz`)).rejects.toThrow();
});

test('fatal startup problems log their phase and never register', async () => {
  const dir = roster.add('general', {
    toml: '[butler]\nname = "general"\nport = 8101\ndescription = "General."\n',
    migrations: { '001_bad.sql': 'CREATE TABLE x (;' },
  });
  const cases: Array<[string, string, Record<string, string>]> = [
    ['database', roster.overlay('general-db', `[butler]\nport = ${GENERAL_PORT}\n[db]\nport = 1\nname = "t_general"\n[switchboard]\nurl = "http://127.0.0.1:${SB_PORT}/mcp"\n`), {}],
    ['migration', dbOverlay('general', GENERAL_PORT, `[switchboard]\nurl = "http://127.0.0.1:${SB_PORT}/mcp"\n`), {}],
    ['config', dbOverlay('general', GENERAL_PORT), { BUTLERS_LOG_LEVEL: 'loud' }],
  ];
  for (const [phase, overlay, env] of cases) {
    const sink = logSink();
    const err = await startDaemon({ rosterDir: dir, overlayPath: overlay, env, destination: sink.stream }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).phase).toBe(phase);
    const failed = sink.lines.find((l) => l.event === 'butler.startup_failed');
    expect(failed).toMatchObject({ phase, level: 50 });
    expect(sink.lines.some((l) => String(l.event).startsWith('registry.'))).toBe(false);
    expect(sink.lines.some((l) => l.event === 'butler.ready')).toBe(false);
  }
});

test('a credential-shaped literal in butler.toml is reported by key path, never by value', async () => {
  const dir = roster.add('messenger', {
    toml: `[butler]\nname = "messenger"\nport = 8104\ndescription = "Messages via ${TG_LITERAL}"\n[db]\npassword = "hunter2-literal"\n[modules.telegram]\nenabled = false\n`,
  });
  const sink = logSink();
  const d = await startDaemon({
    rosterDir: dir,
    overlayPath: dbOverlay('messenger', SPARE_PORT, `[switchboard]\nurl = "http://127.0.0.1:1/mcp"\n`),
    env: {},
    destination: sink.stream,
  }).catch((e: unknown) => e);
  // The literal password is wrong for this cluster? trust auth accepts any, so the daemon starts.
  expect(d).not.toBeInstanceOf(Error);
  started.push(d as DaemonHandle);
  expect(sink.lines.filter((l) => l.event === 'config.secret_detected')).toEqual([
    expect.objectContaining({ level: 40, key: 'butler.description', pattern: 'telegram_bot_token' }),
    expect.objectContaining({ level: 40, key: 'db.password', pattern: 'literal_under_sensitive_key' }),
  ]);
  // Even a line that would quote it (a tool echoing the description) is masked.
  (d as DaemonHandle).log.info({ event: 'test.echo', description: (d as DaemonHandle).config.butler.description }, 'echo');
  expect(sink.lines.find((l) => l.event === 'module.disabled')).toMatchObject({ module: 'telegram' });
  await (d as DaemonHandle).close();
  expect(JSON.stringify(sink.lines)).not.toContain('hunter2-literal');
  expect(JSON.stringify(sink.lines)).not.toContain(TG_LITERAL);
  expect(sink.lines.find((l) => l.event === 'test.echo')?.description).toBe('Messages via ***');
});

test('--migrate-only applies what a start would, opens no port, and a later start finds nothing to do', async () => {
  const dir = roster.add('templated', {
    toml: '[butler]\nname = "templated"\nport = 8105\ndescription = "Templated."\n[modules.memory]\n[modules.calendar]\ncalendar_id = "primary"\n',
    migrations: { '001_t.sql': 'CREATE TABLE things (id SERIAL PRIMARY KEY, label TEXT NOT NULL);' },
  });
  const overlay = dbOverlay('templated', SPARE_PORT);
  const env = {};
  const first = logSink();
  expect(await startDaemon({ rosterDir: dir, overlayPath: overlay, env, destination: first.stream, migrateOnly: true })).toBeNull();
  const applied = first.lines.filter((l) => l.event === 'db.migration_applied').map((l) => l.chain);
  // Core, the butler's own chain and memory's chain (its pgvector check is at startup, which --migrate-only
  // skips); calendar fails its credential check before any migration, exactly as at start-up.
  expect(new Set(applied)).toEqual(new Set(['core', 'butler:templated', 'module:memory']));
  expect(first.lines.some((l) => l.event === 'butler.migrated')).toBe(true);
  expect(first.lines.some((l) => l.event === 'butler.ready' || String(l.event).startsWith('registry.'))).toBe(false);
  await expect(fetch(`http://127.0.0.1:${SPARE_PORT}/healthz`)).rejects.toThrow();

  const second = logSink();
  const d = await startDaemon({ rosterDir: dir, overlayPath: overlay, env, destination: second.stream });
  started.push(d);
  expect(second.lines.filter((l) => l.event === 'db.migration_applied')).toEqual([]);
  expect(second.lines.find((l) => l.event === 'butler.ready')).toBeTruthy();
  const c = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 't_templated' });
  await c.connect();
  try {
    expect((await c.query("select count(*)::int as n from information_schema.tables where table_name = 'things'")).rows[0].n).toBe(1);
  } finally {
    await c.end();
  }
});
