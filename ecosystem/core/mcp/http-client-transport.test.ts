import http from 'node:http';
import type net from 'node:net';
import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { classifyCallError } from '../router/classify-error.ts';
import { HttpClientTransport, HttpStatusError, ResponseTooLargeError } from './http-client-transport.ts';
import { toJsonRpcMessage } from './jsonrpc.ts';

// A server whose path picks the answer: /declared?bytes=N (JSON with a
// content-length), /headers-only?bytes=N (a length, never a body), /chunked?bytes=N (1 KB chunks, no length), /gzip?bytes=N,
// /sse (the answer as an event), /status?code=N, /html, /hang (never answers),
// /mcp (a minimal MCP server: initialize, tools/call echo, DELETE).
let server: http.Server;
let base: string;
const seen: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders }> = [];
const sockets = new Set<net.Socket>();

function rpc(id: unknown, result: unknown) {
  return JSON.stringify({ jsonrpc: '2.0', id, result });
}

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ method: req.method ?? '', path: url.pathname, headers: req.headers });
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const msg = body ? (JSON.parse(body) as { id?: unknown; method?: string; params?: { arguments?: { text?: string } } }) : {};
      const n = Number(url.searchParams.get('bytes'));
      // A JSON-RPC answer padded to n bytes.
      const padded = (len: number) => {
        const head = `{"jsonrpc":"2.0","id":${JSON.stringify(msg.id)},"result":{"pad":"`;
        return `${head}${'x'.repeat(Math.max(0, len - head.length - 3))}"}}`;
      };
      switch (url.pathname) {
        case '/declared':
          return void res.writeHead(200, { 'content-type': 'application/json', 'content-length': n }).end(padded(n));
        case '/headers-only': {
          // Declares a body and never sends it: only a check of the declared length can answer.
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': n });
          return void res.flushHeaders();
        }
        case '/gzip': {
          const z = gzipSync(padded(n));
          return void res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': z.length }).end(z);
        }
        case '/chunked': {
          res.writeHead(200, { 'content-type': 'application/json' });
          const text = Buffer.from(padded(n));
          let at = 0;
          const next = () => {
            if (at >= text.length) return void res.end();
            const part = text.subarray(at, at + 1024);
            at += part.length;
            res.write(part, () => setImmediate(next));
          };
          return next();
        }
        case '/sse':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(': keep-alive\n\n');
          return void res.end(`event: message\ndata: ${rpc(msg.id, { via: 'sse' })}\n\n`);
        case '/status':
          return void res.writeHead(Number(url.searchParams.get('code')), { 'content-type': 'text/plain' }).end('nope');
        case '/html':
          return void res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>');
        case '/notjson':
          return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":');
        case '/notrpc':
          return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":1}');
        case '/hang':
          return;
        case '/mcp':
          if (req.method === 'DELETE') return void res.writeHead(200).end();
          if (msg.id === undefined) return void res.writeHead(202).end();
          if (msg.method === 'initialize') {
            return void res
              .writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'sess-1' })
              .end(rpc(msg.id, { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 't', version: '1' } }));
          }
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(rpc(msg.id, { content: [{ type: 'text', text: msg.params?.arguments?.text ?? '' }] }));
      }
      res.writeHead(404).end();
    });
  });
  server.on('connection', (s) => (sockets.add(s), s.once('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Sends one request over a fresh transport; resolves with the message answered, or rejects. */
async function ask(path: string, opts: ConstructorParameters<typeof HttpClientTransport>[1] = {}): Promise<JSONRPCMessage> {
  const t = new HttpClientTransport(new URL(path, base), opts);
  const errors: Error[] = [];
  t.onerror = (e) => errors.push(e);
  await t.start();
  try {
    const answer = new Promise<JSONRPCMessage>((resolve) => (t.onmessage = resolve));
    await t.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } });
    return await Promise.race([answer, new Promise<never>((_r, reject) => setTimeout(() => reject(errors[0] ?? new Error('no answer')), 2000))]);
  } finally {
    await t.close();
  }
}
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);

test('answers within the limit are read whole, with or without a content-length, as JSON or as an event', async () => {
  expect(JSON.stringify(await ask('/declared?bytes=10000', { maxResponseBytes: 10_000 })).length).toBe(10_000);
  expect(JSON.stringify(await ask('/chunked?bytes=9000', { maxResponseBytes: 10_000 })).length).toBe(9_000);
  expect(await ask('/sse')).toMatchObject({ id: 7, result: { via: 'sse' } });
});

test('a declared length over the limit is refused before the body is read', async () => {
  const err = await failure(ask('/declared?bytes=10001', { maxResponseBytes: 10_000 }));
  expect(err).toBeInstanceOf(ResponseTooLargeError);
  expect(err).toMatchObject({ code: 'RESPONSE_TOO_LARGE', bytes: 10_001, limit: 10_000 });
  expect(await failure(ask('/headers-only?bytes=50000000', { maxResponseBytes: 10_000 }))).toMatchObject({ code: 'RESPONSE_TOO_LARGE', bytes: 50_000_000 });
});

test('a body that grows past the limit is cut while it is read', async () => {
  const err = await failure(ask('/chunked?bytes=50000', { maxResponseBytes: 10_000 }));
  expect(err).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 10_000 });
  expect((err as ResponseTooLargeError).bytes).toBeLessThanOrEqual(10_000 + 1024);
});

test('a compressed answer is never decoded (no Accept-Encoding is sent): it fails as JSON, it cannot expand', async () => {
  const err = await failure(ask('/gzip?bytes=50000', { maxResponseBytes: 10_000 }));
  expect(err).toBeInstanceOf(SyntaxError);
  expect(seen.filter((s) => s.path === '/gzip').every((s) => s.headers['accept-encoding'] === undefined)).toBe(true);
});

test('failures keep the shapes the router classifies: HTTP status, content type, JSON, JSON-RPC, refused', async () => {
  const status = await failure(ask('/status?code=503'));
  expect(status).toBeInstanceOf(HttpStatusError);
  expect(status!.message).toMatch(/^Streamable HTTP error: Error POSTing to endpoint/);
  expect(status).toMatchObject({ code: 503 });
  expect(status!.message).toContain('nope');
  expect(classifyCallError(status, false, 1000)).toMatchObject({ error: 'target_unavailable', error_class: 'http_503' });
  const redirect = await failure(ask('/status?code=307'));
  expect(redirect).toMatchObject({ code: 307 });
  expect(redirect!.message).toContain('not followed');
  const html = await failure(ask('/html'));
  expect(classifyCallError(html, false, 1000)).toMatchObject({ error: 'malformed_response' });
  expect(html!.message).toContain('Unexpected content type: text/html');
  expect(classifyCallError(await failure(ask('/notjson')), false, 1000)).toMatchObject({ error: 'malformed_response' });
  expect(classifyCallError(await failure(ask('/notrpc')), false, 1000)).toMatchObject({ error: 'malformed_response' });
  expect(classifyCallError(await failure(ask('/notrpc', { validate: toJsonRpcMessage })), false, 1000)).toMatchObject({ error: 'malformed_response' });
  const closed = await new Promise<number>((r) => {
    const s = http.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => r(port));
    });
  });
  const refused = await failure(ask(`http://127.0.0.1:${closed}/mcp`));
  expect(classifyCallError(refused, false, 1000)).toMatchObject({ error: 'target_unavailable', error_class: 'connection_refused' });
  const tooLarge = classifyCallError(new ResponseTooLargeError(20, 10, false), false, 1000);
  expect(tooLarge).toMatchObject({ error: 'malformed_response', error_class: 'response_too_large', counts: false, discard: true });
  expect(tooLarge.message).toContain('over the 10-byte limit');
});

test('close() aborts a request in flight and frees its socket', async () => {
  const t = new HttpClientTransport(new URL('/hang', base));
  t.onerror = () => undefined;
  await t.start();
  const pending = failure(t.send({ jsonrpc: '2.0', id: 1, method: 'ping' }));
  await expect.poll(() => seen.filter((s) => s.path === '/hang').length).toBe(1);
  const before = sockets.size;
  await t.close();
  expect((await pending)?.name).toBe('AbortError');
  await expect.poll(() => sockets.size).toBe(before - 1);
});

test('with the SDK client: session id and protocol version go back on every call, one keep-alive socket, DELETE ends the session', async () => {
  const from = seen.length;
  const t = new HttpClientTransport(new URL('/mcp', base), { headers: { 'x-test': 'yes' } });
  const client = new Client({ name: 't', version: '1' });
  await client.connect(t);
  for (let i = 0; i < 50; i++) {
    const res = (await client.callTool({ name: 'echo', arguments: { text: `n${i}` } })) as { content: Array<{ text: string }> };
    expect(res.content[0].text).toBe(`n${i}`);
  }
  expect(t.sessionId).toBe('sess-1');
  await t.terminateSession();
  expect(t.sessionId).toBeUndefined();
  const mine = seen.slice(from);
  expect(mine[0].headers['mcp-session-id']).toBeUndefined();
  const later = mine.slice(1);
  expect(later.length).toBe(52); // initialized notification, 50 calls, DELETE
  expect(later.every((s) => s.headers['mcp-session-id'] === 'sess-1' && s.headers['mcp-protocol-version'] === '2025-06-18' && s.headers['x-test'] === 'yes')).toBe(true);
  expect(later.at(-1)!.method).toBe('DELETE');
  // No standalone GET stream is opened, and every exchange went over one kept-alive connection.
  expect(mine.some((s) => s.method === 'GET')).toBe(false);
  expect(new Set(mine.map((s) => s.headers.connection)).has('close')).toBe(false);
  await client.close();
});
