import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { startModelDouble, type ModelDoubleHandle } from '../../staging/model-double/index.ts';
import { parseTraceparent } from '../core/trace/traceparent.ts';
import { runtimeArgv, SESSION_TOKEN_HEADER, type RuntimeResult } from './protocol.ts';
import { startFakeMcpServer, type FakeMcpServer } from '../testing/fake-mcp-server.ts';
import { testPort } from '../../staging/ports.ts';

// Port 8540 (at the default E2E_PORT_BASE; testPort moves it) is this file's fake MCP server, 8549 stays unbound.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRY = path.join(ROOT, 'dist', 'runtime-main.cjs');
const KEY = 'sk-ant-runtime-test-key-0001';
const TOKEN = 'tok-runtime-test-0123456789abcdef';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

let double: ModelDoubleHandle;
let server: FakeMcpServer;
let dir: string;

test.beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-ecosystem.mjs')], { cwd: ROOT, stdio: 'pipe' });
  double = await startModelDouble({ apiKey: KEY });
  server = await startFakeMcpServer(testPort(8540), [
    {
      name: 'measurement_log',
      description: 'Record one body measurement.\n\nUse when: log my weight, record a measurement.\nKinds: weight, blood pressure.',
      inputSchema: {
        type: 'object',
        properties: { type: { type: 'string', examples: ['weight', 'blood_pressure'] }, value: { type: 'number' }, unit: { type: 'string', examples: ['kg', 'lb'] } },
        required: ['type', 'value'],
      },
      handler: async (args) => ({ value: { id: 'm-1', ...args } }),
    },
    { name: 'explode', description: 'Always fails.\n\nUse when: never.', handler: async () => ({ value: { error: 'nope', message: 'always fails' }, isError: true }) },
  ]);
  dir = mkdtempSync(path.join(tmpdir(), 'runtime-test-'));
});
test.afterAll(async () => {
  await server?.close();
  await double?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
test.afterEach(async () => double.control.clearFaults());

function config(servers: Record<string, string>): string {
  const file = path.join(dir, `mcp-${Object.keys(servers).length}-${Math.random().toString(36).slice(2)}.json`);
  const mcpServers = Object.fromEntries(Object.entries(servers).map(([n, url]) => [n, { type: 'http', url, headers: { [SESSION_TOKEN_HEADER]: TOKEN } }]));
  writeFileSync(file, JSON.stringify({ mcpServers }), { mode: 0o600 });
  return file;
}

async function runRuntime(o: { sessionId: string; prompt?: string; maxTurns?: number; mcpConfig?: string; stdin?: string }) {
  const argv = runtimeArgv({
    butler: 'health', sessionId: o.sessionId, kind: 'task', mcpConfig: o.mcpConfig ?? config({ health: server.url }),
    model: 'claude-haiku-4-5-20251001', maxTurns: o.maxTurns ?? 5, tag: `tag-${o.sessionId}`, logLevel: 'debug',
  });
  const child = spawn(process.execPath, [ENTRY, ...argv], { env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: double.url, TRACEPARENT }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdin.end(o.stdin ?? JSON.stringify({ prompt: o.prompt ?? 'Log weight 80kg', system_prompt: 'You are the health butler.' }));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const lines = stdout.split('\n').filter((l) => l.trim());
  expect(lines, `stdout must hold exactly one line; stderr:\n${stderr}`).toHaveLength(1);
  expect(stderr).not.toContain(KEY);
  return { code, result: JSON.parse(lines[0]) as RuntimeResult, stderr };
}

test('runs the tool loop: one MCP call with the token and a child traceparent, one JSON line, attribution headers', async () => {
  const before = server.calls.length;
  const { code, result, stderr } = await runRuntime({ sessionId: 'rt-happy' });
  expect(code).toBe(0);
  expect(result.error).toBeUndefined();
  expect(result.tool_calls).toEqual([
    { name: 'measurement_log', arguments: { type: 'weight', value: 80, unit: 'kg' }, result: { id: 'm-1', type: 'weight', value: 80, unit: 'kg' }, is_error: false },
  ]);
  expect(result.output).toContain('measurement_log');
  expect(result.api_requests).toBe(2);
  expect(result.usage.input_tokens).toBeGreaterThan(0);
  expect(result.usage.output_tokens).toBeGreaterThan(0);
  expect(result.model).toBe('claude-haiku-4-5-20251001');
  const call = server.calls[before];
  expect(call.headers[SESSION_TOKEN_HEADER]).toBe(TOKEN);
  const tp = parseTraceparent(call.meta.traceparent);
  expect(tp?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  expect(tp?.spanId).not.toBe('00f067aa0ba902b7');
  const log = await double.control.requests({ session_id: 'rt-happy' });
  expect(log).toHaveLength(2);
  expect(log.every((r) => r.butler === 'health' && r.session_kind === 'task' && r.tag === 'tag-rt-happy')).toBe(true);
  expect(log[0].tools.sort()).toEqual(['explode', 'measurement_log']);
  const detail = await double.control.request(log[0].id);
  // Prompt caching: the system prompt and the last tool carry the breakpoints (the tool list and system are the same every turn).
  const sent = detail?.request as { system?: unknown; tools: Array<{ name: string; cache_control?: unknown }> };
  expect(sent.system).toEqual([{ type: 'text', text: 'You are the health butler.', cache_control: { type: 'ephemeral' } }]);
  expect(sent.tools.map((t) => t.cache_control ?? null)).toEqual([null, { type: 'ephemeral' }]);
  // This prompt is far below Haiku 4.5's 4,096-token minimum: nothing cached, all of it input.
  expect(result.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  const events = stderr.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l).event);
  expect(events).toEqual(expect.arrayContaining(['runtime.started', 'runtime.tool_call', 'runtime.finished']));
});

test('unknown tools and tool errors come back as is_error results and the model carries on', async () => {
  await double.control.addFault({ match: { session_id: 'rt-unknown' }, action: { type: 'tool_use', name: 'contact_add', input: { name: 'Ann' } } });
  const unknown = await runRuntime({ sessionId: 'rt-unknown' });
  expect(unknown.code).toBe(0);
  expect(unknown.result.tool_calls[0]).toMatchObject({ name: 'contact_add', is_error: true, result: { error: 'tool_not_found' } });
  expect(unknown.result.tool_calls[1]).toMatchObject({ name: 'measurement_log', is_error: false });
  const detail = await double.control.request((await double.control.requests({ session_id: 'rt-unknown' }))[1].id);
  const sent = JSON.stringify((detail?.request as { messages: unknown[] }).messages);
  expect(sent).toContain('"is_error":true');

  await double.control.addFault({ match: { session_id: 'rt-explode' }, action: { type: 'tool_use', name: 'explode' } });
  const exploded = await runRuntime({ sessionId: 'rt-explode' });
  expect(exploded.code).toBe(0);
  expect(exploded.result.tool_calls[0]).toEqual({ name: 'explode', arguments: {}, result: { error: 'nope', message: 'always fails' }, is_error: true });
});

test('API failures end the process non-zero with a stable code', async () => {
  await double.control.addFault({ match: { session_id: 'rt-401' }, action: { type: 'status', code: 401 } });
  const auth = await runRuntime({ sessionId: 'rt-401' });
  expect(auth.code).toBe(1);
  expect(auth.result).toMatchObject({ error: 'authentication_error', api_requests: 1, tool_calls: [] });

  await double.control.addFault({ match: { session_id: 'rt-429' }, action: { type: 'status', code: 429, retry_after: 0 }, times: 0 });
  const limited = await runRuntime({ sessionId: 'rt-429' });
  expect(limited.code).toBe(1);
  expect(limited.result.error).toBe('rate_limited');
  // The SDK's own retries stay on: 1 + 2 attempts.
  expect(await double.control.requests({ session_id: 'rt-429' })).toHaveLength(3);

  await double.control.addFault({ match: { session_id: 'rt-500' }, action: { type: 'status', code: 500 }, times: 0 });
  expect((await runRuntime({ sessionId: 'rt-500' })).result.error).toBe('api_error');
});

test('turn limit, broken MCP config and bad stdin are reported as errors', async () => {
  const turns = await runRuntime({ sessionId: 'rt-turns', maxTurns: 1 });
  expect(turns.code).toBe(1);
  expect(turns.result.error).toBe('max_turns');
  expect(turns.result.tool_calls).toHaveLength(1);

  const two = await runRuntime({ sessionId: 'rt-two', mcpConfig: config({ a: server.url, b: server.url }) });
  expect(two.code).toBe(1);
  expect(two.result.error).toBe('mcp_error');
  expect(two.result.error_message).toContain('exactly one server');

  const down = await runRuntime({ sessionId: 'rt-down', mcpConfig: config({ health: `http://127.0.0.1:${testPort(8549)}/mcp` }) });
  expect(down.result.error).toBe('mcp_error');

  const bad = await runRuntime({ sessionId: 'rt-stdin', stdin: 'not json' });
  expect(bad.code).toBe(2);
  expect(bad.result.error).toBe('invalid_input');
});

test('a prompt past the cacheable minimum is written on the first turn and read on the next; the result sums all four counters', async () => {
  const system = `You are the health butler.\n${'Record what the owner tells you, exactly as given, with the right tool. '.repeat(260)}`;
  const { code, result } = await runRuntime({ sessionId: 'rt-cache', stdin: JSON.stringify({ prompt: 'Log weight 80kg', system_prompt: system }) });
  expect(code).toBe(0);
  const usages: Array<Record<string, number>> = [];
  for (const entry of await double.control.requests({ session_id: 'rt-cache' })) {
    usages.push(((await double.control.request(entry.id))?.response?.body as { usage: Record<string, number> }).usage);
  }
  expect(usages).toHaveLength(2);
  expect(usages[0].cache_creation_input_tokens).toBeGreaterThanOrEqual(4096);
  expect(usages[1]).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: usages[0].cache_creation_input_tokens });
  const sum = (k: string) => usages.reduce((n, u) => n + u[k], 0);
  expect(result.usage).toEqual({
    input_tokens: sum('input_tokens'),
    output_tokens: sum('output_tokens'),
    cache_creation_input_tokens: sum('cache_creation_input_tokens'),
    cache_read_input_tokens: sum('cache_read_input_tokens'),
  });
});
