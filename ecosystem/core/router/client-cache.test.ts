import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { expect, test } from '@playwright/test';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ClientCache } from './client-cache.ts';
import { classifyCallError } from './classify-error.ts';
import { checkRouteChain, readRouteChain } from './route-chain.ts';
import { childTrace, traceIdOf } from './trace-context.ts';
import { testPort } from '../../../staging/ports.ts';

// Port 8605 (at the default E2E_PORT_BASE; testPort moves it) is this file's.
const PORT = testPort(8605);
const URL_ = `http://127.0.0.1:${PORT}/mcp`;

/** A stateful Streamable HTTP MCP server with one `echo` tool; `stop()` forgets every session. */
async function miniServer(): Promise<{ stop(): Promise<void>; sessions: () => number }> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const srv = http.createServer(async (req, res) => {
    const sid = req.headers['mcp-session-id'];
    if (typeof sid === 'string') {
      const t = transports.get(sid);
      if (!t) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}');
      return t.handleRequest(req, res);
    }
    const server = new McpServer({ name: 'mini', version: '1' });
    server.tool('echo', { text: z.string() }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
    const t: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => void transports.set(id, t),
      onsessionclosed: (id) => void transports.delete(id),
    });
    await server.connect(t);
    await t.handleRequest(req, res);
  });
  await new Promise<void>((r) => srv.listen(PORT, '127.0.0.1', () => r()));
  return {
    sessions: () => transports.size,
    stop: () => new Promise<void>((r) => (srv.closeAllConnections(), srv.close(() => r()))),
  };
}

const never = () => new AbortController().signal;
const echo = (c: { callTool: (p: { name: string; arguments: Record<string, unknown> }) => Promise<unknown> }, text: string) =>
  c.callTool({ name: 'echo', arguments: { text } }) as Promise<{ content: Array<{ text: string }> }>;

test('one client per URL: reused, shared by concurrent first calls, pinged when idle, replaced when the ping fails', async () => {
  let server = await miniServer();
  const stale: string[] = [];
  const cache = new ClientCache({ clientName: 't', version: '1', idlePingMs: 150, onStale: (_u, target, reason) => stale.push(`${target}: ${reason}`) });
  try {
    const [a, b] = await Promise.all([cache.acquire(URL_, 'mini', never()), cache.acquire(URL_, 'mini', never())]);
    expect([a.fresh, b.fresh]).toEqual([true, true]);
    expect(a.client).toBe(b.client);
    expect(cache.size).toBe(1);
    expect(server.sessions()).toBe(1);
    a.release('keep');
    b.release('keep');
    const c = await cache.acquire(URL_, 'mini', never());
    expect(c.fresh).toBe(false);
    c.release('keep');

    await new Promise((r) => setTimeout(r, 200));
    const d = await cache.acquire(URL_, 'mini', never());
    expect(d.fresh).toBe(false);
    expect(stale).toEqual([]);
    d.release('keep');

    await server.stop();
    server = await miniServer();
    await new Promise((r) => setTimeout(r, 200));
    const e = await cache.acquire(URL_, 'mini', never());
    expect(e.fresh).toBe(true);
    expect(stale).toEqual([expect.stringMatching(/^mini: idle \d+ s and the ping failed/)]);
    expect((await echo(e.client, 'hi')).content[0].text).toBe('hi');
    e.release('keep');
  } finally {
    await cache.close();
    await server.stop();
  }
});

test('a discarded client stays usable for calls already holding it, then closes; clear and close count cached clients', async () => {
  const server = await miniServer();
  const cache = new ClientCache({ clientName: 't', version: '1' });
  try {
    const a = await cache.acquire(URL_, 'mini', never());
    const b = await cache.acquire(URL_, 'mini', never());
    a.release('discard');
    expect(cache.size).toBe(0);
    expect((await echo(b.client, 'still here')).content[0].text).toBe('still here');
    b.release('keep');
    await expect(echo(b.client, 'gone')).rejects.toThrow();
    const c = await cache.acquire(URL_, 'mini', never());
    expect(c.fresh).toBe(true);
    c.release('keep');
    expect(cache.urlsOf('mini')).toEqual([URL_]);
    expect(await cache.clear(cache.urlsOf('other'))).toBe(0);
    // The failed (discarded) client just closed; the polite clear also ends its server session.
    expect(server.sessions()).toBe(2);
    expect(await cache.clear()).toBe(1);
    await expect.poll(() => server.sessions()).toBe(1);
    (await cache.acquire(URL_, 'mini', never())).release('keep');
    expect(await cache.close()).toBe(1);
    expect(cache.size).toBe(0);
  } finally {
    await cache.close();
    await server.stop();
  }
});

test('call errors map to the route contract', () => {
  const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
  expect(classifyCallError(refused, false, 1000)).toMatchObject({ error: 'target_unavailable', error_class: 'connection_refused', counts: true, discard: true });
  const reset = Object.assign(new TypeError('terminated'), { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
  expect(classifyCallError(reset, false, 1000)).toMatchObject({ error: 'target_unavailable', error_class: 'connection_reset' });
  expect(classifyCallError(new Error('whatever'), true, 1500)).toMatchObject({ error: 'timeout', error_class: 'timeout', counts: true, message: 'no answer within 1500 ms' });
  expect(classifyCallError(new StreamableHTTPError(404, 'Session not found'), false, 1)).toMatchObject({ error: 'target_unavailable', error_class: 'http_404', sessionNotFound: true });
  expect(classifyCallError(new StreamableHTTPError(503, 'shutting down'), false, 1)).toMatchObject({ error: 'target_unavailable', error_class: 'http_503', sessionNotFound: false });
  expect(classifyCallError(new StreamableHTTPError(-1, 'Unexpected content type: text/plain'), false, 1)).toMatchObject({ error: 'malformed_response', counts: false, discard: true });
  expect(classifyCallError(new SyntaxError('Unexpected token'), false, 1)).toMatchObject({ error: 'malformed_response' });
  expect(classifyCallError(Object.assign(new Error('bad'), { name: 'ZodError', issues: [] }), false, 1)).toMatchObject({ error: 'malformed_response' });
  expect(classifyCallError(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'), false, 1)).toMatchObject({ error: 'target_unavailable', error_class: 'connection_closed' });
  expect(classifyCallError(new McpError(ErrorCode.InvalidParams, 'Tool x not found'), false, 1)).toMatchObject({ error: 'tool_error', error_class: 'jsonrpc_error', counts: false, discard: false });
});

test('route chain and trace context helpers', () => {
  expect(readRouteChain({ 'butlers/route_chain': ['a', 3, 'b'] })).toEqual(['a', 'b']);
  expect(readRouteChain({ 'butlers/route_chain': 'a' })).toEqual([]);
  expect(checkRouteChain(['a', 'b'], 'c', 4)).toBeNull();
  expect(checkRouteChain(['a', 'b', 'c'], 'd', 4)).toBeNull();
  expect(checkRouteChain(['a', 'b', 'c', 'd'], 'e', 4)?.error).toBe('routing_depth_exceeded');
  expect(checkRouteChain(['a', 'b'], 'a', 4)?.error).toBe('routing_cycle_detected');
  const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const child = childTrace({ traceparent: parent, tracestate: 'k=v' });
  expect(child.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
  expect(child.traceparent).not.toBe(parent);
  expect(child.tracestate).toBe('k=v');
  expect(traceIdOf({ traceparent: parent })).toBe('0af7651916cd43dd8448eb211c80319c');
  expect(traceIdOf({ traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' })).toBeNull();
  const root = childTrace({});
  expect(root.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  expect(root.traceId).toBe(root.traceparent.split('-')[1]);
});
