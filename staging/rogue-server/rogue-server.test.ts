import net from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect, test } from '@playwright/test';
import { startRogueServer, type RogueServer } from './index.ts';

let rogue: RogueServer;
let client: Client;

test.beforeEach(async () => {
  rogue = await startRogueServer({ name: 'rogue-unit' });
  client = new Client({ name: 'rogue-unit-test', version: '0.0.0' });
  client.onerror = () => undefined;
  await client.connect(new StreamableHTTPClientTransport(new URL(rogue.url)));
});

test.afterEach(async () => {
  await client.close().catch(() => undefined);
  await rogue.close();
});

/** What a tools/call ends in: 'ok' or the error's name and message. */
const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => `${e.name}: ${e.message}`);
const call = (o: { signal?: AbortSignal } = {}) => client.callTool({ name: 'status', arguments: {} }, undefined, { signal: o.signal, timeout: 60_000 });

test('answers initialize properly, so a client connects; ok answers tools/call and tools/list', async () => {
  expect(client.getServerVersion()).toMatchObject({ name: 'rogue-unit' });
  expect(rogue.url).toBe(`http://127.0.0.1:${rogue.port}/mcp`);
  expect((await call()).structuredContent).toEqual({ butler: 'rogue-unit', tool: 'status', rogue: true });
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['status', 'echo']);
  const methods = rogue.requests().map((r) => r.method);
  expect(methods).toEqual(expect.arrayContaining(['initialize', 'notifications/initialized', 'tools/call', 'tools/list']));
  expect(rogue.requests().find((r) => r.method === 'tools/call')).toMatchObject({ tool: 'status', answered: 'ok' });
});

test('malformed: a 200 whose body is not JSON, or JSON that is no JSON-RPC message', async () => {
  rogue.setBehaviour('malformed');
  expect(await outcome(call())).toMatch(/^SyntaxError/);
  rogue.setBehaviour({ kind: 'malformed', body: '{"hello":1}' });
  expect(await outcome(call())).toMatch(/^\$?ZodError/);
  rogue.setBehaviour({ kind: 'malformed', body: 'plain words', contentType: 'text/plain' });
  expect(await outcome(call())).toContain('Unexpected content type: text/plain');
});

test('wrong_shape: valid JSON-RPC whose result breaks the CallToolResult schema', async () => {
  rogue.setBehaviour('wrong_shape');
  expect(await outcome(call())).toMatch(/^\$?ZodError/);
});

test('slow answers properly after ms; hang never answers until the caller gives up', async () => {
  rogue.setBehaviour({ kind: 'slow', ms: 300 });
  const t0 = performance.now();
  expect(await outcome(call())).toBe('ok');
  expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  rogue.setBehaviour('hang');
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(new Error('caller gave up')), 300);
  expect(await outcome(call({ signal: ctl.signal }))).toContain('caller gave up');
  expect(rogue.requests().at(-1)).toMatchObject({ method: 'tools/call', answered: 'hang' });
});

test('oversized: a well-formed result of N MB', async () => {
  rogue.setBehaviour({ kind: 'oversized', mb: 2 });
  const r = await call();
  const text = (r.content as { text: string }[])[0].text;
  expect(text.length).toBe(2 * 1024 * 1024);
});

test('status: the HTTP error code reaches the client; close: the socket is destroyed mid-answer', async () => {
  rogue.setBehaviour({ kind: 'status', code: 503 });
  expect(await outcome(call())).toContain('HTTP 503');
  rogue.setBehaviour({ kind: 'status' });
  expect(await outcome(call())).toContain('HTTP 500');
  rogue.setBehaviour('close');
  expect(await outcome(call())).toMatch(/terminated|socket|closed/i);
});

test('on tools/list only: tools/call stays proper', async () => {
  rogue.setBehaviour('wrong_shape', 'tools/list');
  expect(await outcome(client.listTools())).toMatch(/^\$?ZodError/);
  expect(await outcome(call())).toBe('ok');
});

test('bad behaviours are rejected; close cuts hung connections and is safe twice', async () => {
  expect(() => rogue.setBehaviour({ kind: 'status', code: 200 })).toThrow('HTTP error code');
  expect(() => rogue.setBehaviour({ kind: 'slow', ms: -1 })).toThrow('ms ≥ 0');
  expect(() => rogue.setBehaviour({ kind: 'nope' } as never)).toThrow('unknown rogue behaviour');
  expect(rogue.behaviour).toEqual({ kind: 'ok' });
  rogue.setBehaviour('hang');
  const pending = outcome(call());
  await expect.poll(() => rogue.requests().some((r) => r.answered === 'hang')).toBe(true);
  await rogue.close();
  await rogue.close();
  expect(await pending).not.toBe('ok');
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect(rogue.port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve('connected')));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
  expect(refused).toBe('ECONNREFUSED');
});
