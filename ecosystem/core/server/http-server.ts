import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { rebindingRefusal } from './host-check.ts';
import { StreamableServerTransport } from './streamable-transport.ts';
import type { SessionAuth } from './mcp-server.ts';
import type { SessionTokenRegistry } from './session-tokens.ts';

/** Inputs of `startHttpServer`. */
export interface HttpServerOptions {
  butler: string;
  host?: string;
  port: number;
  tokens: SessionTokenRegistry;
  /** A fresh MCP server for one connection. */
  newServer: () => Server;
  log: Logger;
  /** Streamable HTTP sessions idle this long are closed (clients then get 404 and reconnect). */
  idleSessionMs?: number;
}

/** The listening server; `close()` is safe to call twice. */
export interface HttpServerHandle {
  url: string;
  port: number;
  setReady(ready: boolean): void;
  /** Refuse new requests with 503 from now on (the first step of shutdown). */
  stopAccepting(): void;
  /** Number of open MCP connections (both transports). */
  connections(): number;
  /** Resolves once no request/response exchange is open (streams excluded), or after `timeoutMs`; true when idle. */
  idle(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

interface Conn {
  transport: StreamableServerTransport | SSEServerTransport;
  server: Server;
  lastSeen: number;
}

const TOKEN_HEADER = 'x-butlers-session-token';

/** Serves `/mcp` (Streamable HTTP), `/sse` + `/messages` (legacy SSE) and `/healthz` on 127.0.0.1. */
export async function startHttpServer(o: HttpServerOptions): Promise<HttpServerHandle> {
  const streamable = new Map<string, Conn>();
  const sse = new Map<string, Conn>();
  let ready = false;
  let accepting = true;

  const drop = (map: Map<string, Conn>, id: string) => {
    const c = map.get(id);
    if (!c) return;
    map.delete(id);
    void c.server.close().catch(() => undefined);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refusal = rebindingRefusal(req, o.host);
    if (refusal) {
      o.log.warn({ event: 'http.host_refused', host: req.headers.host, origin: req.headers.origin, path: url.pathname }, refusal);
      return json(res, 403, { jsonrpc: '2.0', error: { code: -32000, message: `Forbidden: ${refusal}` }, id: null });
    }
    if (url.pathname === '/healthz') {
      return json(res, ready && accepting ? 200 : 503, { butler: o.butler, ready: ready && accepting });
    }
    const token = req.headers[TOKEN_HEADER];
    let sessionId: string | undefined;
    if (token !== undefined) {
      sessionId = typeof token === 'string' ? o.tokens.resolve(token) : undefined;
      if (!sessionId) return json(res, 401, { error: 'unknown_session_token', message: `${TOKEN_HEADER} is not a live session token` });
      const auth: SessionAuth = { token: 'session', clientId: 'butler-session', scopes: [], extra: { sessionId } };
      (req as http.IncomingMessage & { auth?: SessionAuth }).auth = auth;
    }
    // While draining, only sessions already running may still call their tools.
    if (!accepting && !sessionId) return json(res, 503, { error: 'shutting_down', message: `butler ${o.butler} is shutting down` });
    if (url.pathname === '/mcp') return handleStreamable(req, res);
    if (url.pathname === '/sse' && req.method === 'GET') return openSse(res);
    if (url.pathname === '/messages' && req.method === 'POST') {
      const conn = sse.get(url.searchParams.get('sessionId') ?? '');
      if (!conn) return json(res, 404, { error: 'unknown_sse_session', message: 'no SSE stream with that sessionId; reconnect to /sse' });
      conn.lastSeen = Date.now();
      return (conn.transport as SSEServerTransport).handlePostMessage(req, res);
    }
    json(res, 404, { error: 'not_found', message: `no route ${req.method} ${url.pathname}; use /mcp, /sse or /healthz` });
  };

  const handleStreamable = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const sid = req.headers['mcp-session-id'];
    if (typeof sid === 'string') {
      const conn = streamable.get(sid);
      if (!conn) {
        return json(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
      }
      conn.lastSeen = Date.now();
      return (conn.transport as StreamableServerTransport).handleRequest(req, res);
    }
    if (req.method !== 'POST') {
      return json(res, 400, { jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: mcp-session-id header is required' }, id: null });
    }
    const server = o.newServer();
    const transport: StreamableServerTransport = new StreamableServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void streamable.set(id, { transport, server, lastSeen: Date.now() }),
      onsessionclosed: (id) => drop(streamable, id),
    });
    transport.onclose = () => transport.sessionId && streamable.delete(transport.sessionId);
    await server.connect(transport);
    await transport.handleRequest(req, res);
    // Not an initialize request: nothing was stored, so release it now.
    if (!transport.sessionId) await server.close().catch(() => undefined);
  };

  const openSse = async (res: http.ServerResponse) => {
    const server = o.newServer();
    const transport = new SSEServerTransport('/messages', res);
    sse.set(transport.sessionId, { transport, server, lastSeen: Date.now() });
    transport.onclose = () => sse.delete(transport.sessionId);
    await server.connect(transport);
  };

  // Exchanges in progress, so shutdown can let a finished tool call's response reach the client.
  let open = 0;
  const idleWaiters: Array<() => void> = [];
  const http1 = http.createServer((req, res) => {
    if (req.method !== 'GET') {
      open++;
      res.once('close', () => {
        if (--open === 0) for (const w of idleWaiters.splice(0)) w();
      });
    }
    handle(req, res).catch((err: unknown) => {
      o.log.error({ event: 'http.request_failed', err, path: req.url }, 'HTTP request handling failed');
      if (!res.headersSent) json(res, 500, { error: 'internal_error', message: (err as Error).message });
      else res.end();
    });
  });
  http1.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    http1.once('error', reject);
    http1.listen(o.port, o.host ?? '127.0.0.1', () => (http1.off('error', reject), resolve()));
  });
  const port = (http1.address() as AddressInfo).port;

  const idleMs = o.idleSessionMs ?? 30 * 60_000;
  const sweeper = setInterval(() => {
    const cutoff = Date.now() - idleMs;
    for (const [id, c] of streamable) if (c.lastSeen < cutoff) drop(streamable, id);
  }, Math.min(60_000, idleMs)).unref();

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setReady: (r) => void (ready = r),
    // Idle keep-alive sockets stay open: closing them races with clients reusing
    // them ("other side closed"); a clean 503 tells them more.
    stopAccepting: () => void (accepting = false),
    connections: () => streamable.size + sse.size,
    idle: (timeoutMs) =>
      open === 0
        ? Promise.resolve(true)
        : new Promise((resolve) => {
            const timer = setTimeout(() => resolve(false), timeoutMs);
            idleWaiters.push(() => (clearTimeout(timer), resolve(true)));
          }),
    close: () =>
      (closing ??= (async () => {
        accepting = false;
        clearInterval(sweeper);
        http1.close();
        const all = [...streamable.values(), ...sse.values()];
        streamable.clear();
        sse.clear();
        await Promise.allSettled(all.map((c) => c.server.close()));
        http1.closeAllConnections();
      })()),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
