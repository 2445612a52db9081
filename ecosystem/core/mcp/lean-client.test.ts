import http from 'node:http';
import type net from 'node:net';
import { expect, test } from '@playwright/test';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { StreamableServerTransport } from '../server/streamable-transport.ts';
import { HttpClientTransport } from './http-client-transport.ts';
import { LeanMcpClient, McpCallError } from './lean-client.ts';

// An SDK Server with 250 tools listed 100 per page, an echo, an unknown-tool
// error and a tool that never answers; one session per connection.
let httpServer: http.Server;
let url: string;
const sessions = new Map<string, StreamableServerTransport>();

test.beforeAll(async () => {
  httpServer = http.createServer(async (req, res) => {
    const sid = req.headers['mcp-session-id'];
    if (typeof sid === 'string') return void sessions.get(sid)?.handleRequest(req, res);
    const server = new Server({ name: 'lean-test', version: '3' }, { capabilities: { tools: {} } });
    const tools = Array.from({ length: 250 }, (_, i) => ({ name: `t${i}`, inputSchema: { type: 'object' as const } }));
    server.setRequestHandler(ListToolsRequestSchema, async (r) => {
      const start = Number(r.params?.cursor ?? 0);
      return { tools: tools.slice(start, start + 100), ...(start + 100 < tools.length ? { nextCursor: String(start + 100) } : {}) };
    });
    server.setRequestHandler(CallToolRequestSchema, async (r, extra) => {
      if (r.params.name === 'echo') return { content: [{ type: 'text', text: JSON.stringify({ args: r.params.arguments, meta: r.params._meta, auth: extra.requestInfo?.headers['x-token'] }) }] };
      if (r.params.name === 'never') return new Promise(() => undefined);
      throw new McpError(ErrorCode.InvalidParams, `Tool ${r.params.name} not found`);
    });
    const t = new StreamableServerTransport({ sessionIdGenerator: () => `s${sessions.size + 1}`, onsessioninitialized: (id) => void sessions.set(id, t) });
    await server.connect(t);
    await t.handleRequest(req, res);
  });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(httpServer.address() as net.AddressInfo).port}/mcp`;
});
test.afterAll(async () => {
  httpServer.closeAllConnections();
  await new Promise((r) => httpServer.close(r));
});

const connect = async () => {
  const c = new LeanMcpClient(new HttpClientTransport(new URL(url), { headers: { 'x-token': 'tok' } }), { name: 'lean', version: '1' });
  await c.connect();
  return c;
};

test('connects, follows nextCursor through every page, calls a tool with its arguments, _meta and headers', async () => {
  const c = await connect();
  expect(c.serverVersion).toMatchObject({ name: 'lean-test', version: '3' });
  const tools = await c.listTools();
  expect(tools.map((t) => t.name)).toEqual(Array.from({ length: 250 }, (_, i) => `t${i}`));
  const res = await c.callTool('echo', { a: 1 }, { traceparent: 'tp' }, 5000);
  expect(JSON.parse(res.content[0].text!)).toEqual({ args: { a: 1 }, meta: { traceparent: 'tp' }, auth: 'tok' });
  await c.close();
});

test('a JSON-RPC error is an McpCallError worded like the SDK; a silent tool times out; close rejects what is pending', async () => {
  const c = await connect();
  const err = await c.callTool('nope', {}, undefined, 5000).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(McpCallError);
  expect((err as McpCallError).code).toBe(-32602);
  // The SDK's Server already prefixes McpError messages on the wire; its Client prefixes again, and so does this one.
  expect((err as Error).message).toBe('MCP error -32602: MCP error -32602: Tool nope not found');
  const timedOut = await c.callTool('never', {}, undefined, 200).catch((e: unknown) => e);
  expect(timedOut).toMatchObject({ code: -32001 });
  const pending = c.callTool('never', {}, undefined, 60_000).catch((e: unknown) => e);
  await c.close();
  expect(await pending).toMatchObject({ code: -32000, message: 'MCP error -32000: Connection closed' });
  expect(await c.callTool('echo', {}, undefined, 1000).catch((e: unknown) => (e as Error).message)).toBe('MCP error -32000: Not connected');
});

test('a server that answers an unsupported protocol version is refused', async () => {
  const fake = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d)).on('end', () => {
      const { id } = JSON.parse(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, result: { protocolVersion: '1999-01-01', capabilities: {}, serverInfo: { name: 'old', version: '0' } } }));
    });
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  const c = new LeanMcpClient(new HttpClientTransport(new URL(`http://127.0.0.1:${(fake.address() as net.AddressInfo).port}/mcp`)), { name: 'lean', version: '1' });
  await expect(c.connect()).rejects.toThrow("Server's protocol version is not supported: 1999-01-01");
  fake.closeAllConnections();
  await new Promise((r) => fake.close(r));
});
