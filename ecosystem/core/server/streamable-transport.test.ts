import http from 'node:http';
import type net from 'node:net';
import { expect, test } from '@playwright/test';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { StreamableServerTransport } from './streamable-transport.ts';

// One session per server here (the daemons' http-server.ts keeps a map of them).
let httpServer: http.Server;
let url: string;
let transport: StreamableServerTransport | undefined;
let mcp: Server | undefined;
const closed: string[] = [];

async function fresh(): Promise<void> {
  await mcp?.close();
  mcp = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
  mcp.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'echo', inputSchema: { type: 'object' } }] }));
  mcp.setRequestHandler(CallToolRequestSchema, async (req, extra) => ({
    content: [{ type: 'text', text: JSON.stringify({ args: req.params.arguments, auth: extra.authInfo?.clientId ?? null, header: extra.requestInfo?.headers['x-probe'] ?? null }) }],
  }));
  let n = 0;
  transport = new StreamableServerTransport({ sessionIdGenerator: () => `sid-${++n}`, onsessionclosed: (id) => void closed.push(id) });
  await mcp.connect(transport);
}

test.beforeAll(async () => {
  httpServer = http.createServer((req, res) => {
    (req as http.IncomingMessage & { auth?: unknown }).auth = req.headers['x-auth'] ? { token: 't', clientId: String(req.headers['x-auth']), scopes: [] } : undefined;
    void transport!.handleRequest(req, res);
  });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(httpServer.address() as net.AddressInfo).port}/mcp`;
});
test.afterAll(async () => {
  await mcp?.close();
  httpServer.closeAllConnections();
  await new Promise((r) => httpServer.close(r));
});
test.beforeEach(fresh);

const ACCEPT = 'application/json, text/event-stream';
const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } };

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, sid: res.headers.get('mcp-session-id'), type: res.headers.get('content-type'), body: text ? JSON.parse(text) : null };
}
async function session(): Promise<string> {
  const r = await post(initialize);
  expect(r.status).toBe(200);
  expect(r.body.result.serverInfo.name).toBe('t');
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': r.sid! });
  return r.sid!;
}

test('initialize opens a session; calls carry it; answers are JSON; a batch is answered as an array in order', async () => {
  const sid = await session();
  expect(sid).toBe('sid-1');
  const one = await post({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: { a: 1 } } }, { 'mcp-session-id': sid, 'x-auth': 'caller-1', 'x-probe': 'p' });
  expect(one).toMatchObject({ status: 200, sid, type: 'application/json' });
  expect(JSON.parse(one.body.result.content[0].text)).toEqual({ args: { a: 1 }, auth: 'caller-1', header: 'p' });
  const batch = await post(
    [
      { jsonrpc: '2.0', id: 'b', method: 'tools/list' },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'zz' } },
      { jsonrpc: '2.0', id: 'a', method: 'ping' },
    ],
    { 'mcp-session-id': sid },
  );
  expect(batch.status).toBe(200);
  expect(batch.body.map((m: { id: string }) => m.id)).toEqual(['b', 'a']);
  expect(batch.body[0].result.tools[0].name).toBe('echo');
});

test('notifications alone get 202 and no body', async () => {
  const sid = await session();
  const r = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': sid });
  expect(r).toMatchObject({ status: 202, body: null });
});

test('bad requests get the SDK transport status, JSON-RPC code and message', async () => {
  const call = { jsonrpc: '2.0', id: 1, method: 'ping' };
  expect(await post(call)).toMatchObject({ status: 400, body: { error: { code: -32000, message: 'Bad Request: Server not initialized' } } });
  const sid = await session();
  expect(await post(call)).toMatchObject({ status: 400, body: { error: { message: 'Bad Request: Mcp-Session-Id header is required' } } });
  expect(await post(call, { 'mcp-session-id': 'other' })).toMatchObject({ status: 404, body: { error: { code: -32001, message: 'Session not found' } } });
  expect(await post(call, { 'mcp-session-id': sid, 'mcp-protocol-version': '1999-01-01' })).toMatchObject({ status: 400, body: { error: { code: -32000 } } });
  expect(await post(call, { 'mcp-session-id': sid, accept: 'application/json' })).toMatchObject({ status: 406 });
  expect(await post(call, { 'mcp-session-id': sid, 'content-type': 'text/plain' })).toMatchObject({ status: 415 });
  expect(await post('{"jsonrpc":', { 'mcp-session-id': sid })).toMatchObject({ status: 400, body: { error: { code: -32700, message: 'Parse error: Invalid JSON' } } });
  expect(await post({ hello: 1 }, { 'mcp-session-id': sid })).toMatchObject({ status: 400, body: { error: { code: -32700, message: 'Parse error: Invalid JSON-RPC message' } } });
  expect(await post(Array.from({ length: 101 }, (_, i) => ({ ...call, id: i })), { 'mcp-session-id': sid })).toMatchObject({ status: 400, body: { error: { code: -32600 } } });
  expect(await post(initialize, { 'mcp-session-id': sid })).toMatchObject({ status: 400, body: { error: { message: 'Invalid Request: Server already initialized' } } });
  expect(await post(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'x'.repeat(4 * 1024 * 1024)}"}}`, { 'mcp-session-id': sid })).toMatchObject({ status: 413 });
  // Still serving after all that.
  expect(await post(call, { 'mcp-session-id': sid })).toMatchObject({ status: 200, body: { id: 1, result: {} } });
});

test('GET opens one standalone event stream (a second is 409); server notifications go there; DELETE ends the session', async () => {
  const sid = await session();
  const ac = new AbortController();
  const stream = await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid }, signal: ac.signal });
  expect(stream.status).toBe(200);
  expect(stream.headers.get('content-type')).toBe('text/event-stream');
  const second = await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid } });
  expect(second.status).toBe(409);
  await second.body?.cancel();
  await mcp!.notification({ method: 'notifications/tools/list_changed' });
  const reader = stream.body!.getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toContain('"method":"notifications/tools/list_changed"');
  const del = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sid } });
  expect(del.status).toBe(200);
  expect(closed).toContain(sid);
  expect((await reader.read()).done).toBe(true);
  expect(await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': sid })).toMatchObject({ status: 404 });
  const put = await fetch(url, { method: 'PUT' });
  expect(put.status).toBe(404); // closed transport: session not found, as the SDK's
});
