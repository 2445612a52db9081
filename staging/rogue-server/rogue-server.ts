import http from 'node:http';
import type net from 'node:net';
import { randomUUID } from 'node:crypto';
import {
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type CallToolResult,
  type InitializeResult,
  type JSONRPCMessage,
  type ListToolsResult,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * How the rogue server answers the calls it misbehaves on (docs/resilience.md, Rogue server):
 *
 * - `ok`: a well-formed answer (a `tools/call` result naming the tool), for a baseline.
 * - `malformed`: HTTP 200 whose body is not JSON-RPC: by default not JSON at all
 *   (`content-type: application/json` so the client tries to parse it); `body` and
 *   `contentType` choose another (e.g. `{"hello":1}`, valid JSON but no JSON-RPC message).
 * - `wrong_shape`: a valid JSON-RPC response whose `result` breaks the MCP schema
 *   (`content` is a string, not a list of blocks).
 * - `slow`: the well-formed answer after `ms`.
 * - `oversized`: a well-formed answer whose one text block is `mb` megabytes.
 * - `hang`: reads the request and never answers, never closes.
 * - `status`: HTTP `code` (default 500) with a short text body.
 * - `close`: sends headers and the first `afterBytes` (default 20) bytes of a
 *   well-formed answer, then destroys the socket.
 */
export type RogueBehaviour =
  | { kind: 'ok' }
  | { kind: 'malformed'; body?: string; contentType?: string }
  | { kind: 'wrong_shape' }
  | { kind: 'slow'; ms: number }
  | { kind: 'oversized'; mb: number }
  | { kind: 'hang' }
  | { kind: 'status'; code?: number }
  | { kind: 'close'; afterBytes?: number };

export type RogueBehaviourInput = RogueBehaviour | 'ok' | 'malformed' | 'wrong_shape' | 'hang' | 'status' | 'close';

/** Which JSON-RPC methods misbehave; `initialize` and notifications always answer properly so a client connects. */
export type RogueTarget = 'tools/call' | 'tools/list' | 'both';

export interface RogueRequest {
  /** ISO time the request arrived. */
  time: string;
  /** HTTP method (POST, GET, DELETE). */
  http: string;
  /** JSON-RPC method, when the body held one. */
  method: string | null;
  /** `params.name` of a `tools/call`. */
  tool: string | null;
  /** `params._meta` of the call (traceparent, route chain). */
  meta: Record<string, unknown> | null;
  /** What the server did: the behaviour's kind, `proper` for a well-behaved answer, `accepted` for a notification. */
  answered: string;
}

export interface RogueServerOptions {
  behaviour?: RogueBehaviourInput;
  /** Default `tools/call`. */
  on?: RogueTarget;
  /** Name the server gives in `initialize` (and a test may register it under). */
  name?: string;
  /** Tools it lists; default `status` and `echo`. */
  tools?: string[];
}

export interface RogueServer {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  readonly url: string;
  readonly port: number;
  readonly behaviour: RogueBehaviour;
  setBehaviour(b: RogueBehaviourInput, on?: RogueTarget): void;
  /** Every HTTP request seen, oldest first. */
  requests(): RogueRequest[];
  /** TCP connections accepted since start. */
  connections(): number;
  /** Closes the listener and every open connection (hung ones included); safe twice. */
  close(): Promise<void>;
}

const MB = 1024 * 1024;

function normalize(b: RogueBehaviourInput): RogueBehaviour {
  const x: RogueBehaviour = typeof b === 'string' ? ({ kind: b } as RogueBehaviour) : b;
  switch (x.kind) {
    case 'ok':
    case 'wrong_shape':
    case 'hang':
      return { kind: x.kind };
    case 'malformed':
      return { kind: 'malformed', body: x.body ?? 'this is {not json', contentType: x.contentType ?? 'application/json' };
    case 'slow':
      if (!Number.isFinite(x.ms) || x.ms < 0) throw new Error(`rogue slow needs ms ≥ 0, got ${x.ms}`);
      return { kind: 'slow', ms: x.ms };
    case 'oversized':
      if (!Number.isFinite(x.mb) || x.mb <= 0) throw new Error(`rogue oversized needs mb > 0, got ${x.mb}`);
      return { kind: 'oversized', mb: x.mb };
    case 'status': {
      const code = x.code ?? 500;
      if (!Number.isInteger(code) || code < 400 || code > 599) throw new Error(`rogue status needs an HTTP error code 400-599, got ${code}`);
      return { kind: 'status', code };
    }
    case 'close':
      return { kind: 'close', afterBytes: Math.max(0, x.afterBytes ?? 20) };
    default:
      throw new Error(`unknown rogue behaviour ${JSON.stringify(b)}; one of ok, malformed, wrong_shape, slow, oversized, hang, status, close`);
  }
}

export function describeBehaviour(b: RogueBehaviour): string {
  switch (b.kind) {
    case 'slow':
      return `slow ${b.ms} ms`;
    case 'oversized':
      return `oversized ${b.mb} MB`;
    case 'status':
      return `HTTP ${b.code}`;
    case 'close':
      return `close after ${b.afterBytes} bytes`;
    default:
      return b.kind;
  }
}

/**
 * Starts an MCP-over-HTTP endpoint that misbehaves on purpose (docs/resilience.md,
 * Rogue server). It is a hand-written node:http server rather than the SDK's
 * McpServer + StreamableHTTPServerTransport because every misbehaviour happens
 * below the SDK: a body that is not JSON, a socket destroyed after some bytes,
 * headers never sent, a status code of our choosing — the SDK server would
 * (rightly) never produce them. The SDK's types keep the proper answers honest.
 */
export async function startRogueServer(o: RogueServerOptions = {}): Promise<RogueServer> {
  let behaviour = normalize(o.behaviour ?? 'ok');
  let on: RogueTarget = o.on ?? 'tools/call';
  const name = o.name ?? 'rogue';
  const tools = o.tools ?? ['status', 'echo'];
  const seen: RogueRequest[] = [];
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let connections = 0;
  const sessionId = randomUUID();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => res.destroy());
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'mcp-session-id': sessionId, ...headers });
    res.end(text);
  };

  function properResult(msg: { id: string | number; method: string; params?: { name?: string } }, extra?: string): JSONRPCMessage {
    if (msg.method === 'tools/list') {
      const result: ListToolsResult = { tools: tools.map((t) => ({ name: t, description: `rogue ${t}`, inputSchema: { type: 'object' } })) };
      return { jsonrpc: '2.0', id: msg.id, result };
    }
    const payload = { butler: name, tool: msg.params?.name ?? null, rogue: true };
    const result: CallToolResult = {
      content: [{ type: 'text', text: extra ?? JSON.stringify(payload) }],
      ...(extra === undefined ? { structuredContent: payload } : {}),
    };
    return { jsonrpc: '2.0', id: msg.id, result };
  }

  function misbehave(res: http.ServerResponse, msg: { id: string | number; method: string; params?: { name?: string } }, b: RogueBehaviour): void {
    switch (b.kind) {
      case 'ok':
        return json(res, 200, properResult(msg));
      case 'malformed':
        res.writeHead(200, { 'content-type': b.contentType!, 'mcp-session-id': sessionId });
        return void res.end(b.body);
      case 'wrong_shape':
        return json(res, 200, { jsonrpc: '2.0', id: msg.id, result: msg.method === 'tools/list' ? { tools: 'none' } : { content: 'not a list of content blocks', isError: 'perhaps' } });
      case 'slow': {
        const t = setTimeout(() => {
          timers.delete(t);
          if (!res.destroyed) json(res, 200, properResult(msg));
        }, b.ms);
        timers.add(t);
        return;
      }
      case 'oversized':
        return json(res, 200, properResult(msg, 'x'.repeat(Math.round(b.mb * MB))));
      case 'hang':
        return; // never answers; close() destroys the socket
      case 'status': {
        const text = `rogue says HTTP ${b.code}`;
        res.writeHead(b.code!, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
        return void res.end(text);
      }
      case 'close': {
        const full = Buffer.from(JSON.stringify(properResult(msg)));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': full.length, 'mcp-session-id': sessionId });
        res.write(full.subarray(0, Math.min(b.afterBytes!, full.length - 1)), () => setImmediate(() => res.socket?.destroy()));
        return;
      }
    }
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const entry: RogueRequest = { time: new Date().toISOString(), http: req.method ?? '', method: null, tool: null, meta: null, answered: 'proper' };
    seen.push(entry);
    if (req.method === 'GET') {
      // No standalone SSE stream: the SDK client accepts 405 here.
      entry.answered = 'no_sse';
      res.writeHead(405, { allow: 'POST, DELETE' }).end();
      return;
    }
    if (req.method === 'DELETE') {
      entry.answered = 'session_ended';
      res.writeHead(200).end();
      return;
    }
    let msg: { jsonrpc?: string; id?: string | number; method?: string; params?: Record<string, any> };
    try {
      msg = JSON.parse(body);
    } catch {
      entry.answered = 'parse_error';
      return json(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    }
    entry.method = typeof msg.method === 'string' ? msg.method : null;
    if (msg.method === 'tools/call') {
      entry.tool = typeof msg.params?.name === 'string' ? msg.params.name : null;
      entry.meta = (msg.params?._meta as Record<string, unknown>) ?? null;
    }
    if (msg.id === undefined) {
      entry.answered = 'accepted'; // a notification (notifications/initialized, cancelled)
      res.writeHead(202, { 'mcp-session-id': sessionId }).end();
      return;
    }
    if (msg.method === 'initialize') {
      const asked = String(msg.params?.protocolVersion ?? '');
      const result: InitializeResult = {
        protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(asked) ? asked : LATEST_PROTOCOL_VERSION,
        capabilities: { tools: {} },
        serverInfo: { name, version: '0.0.0-rogue' },
      };
      return json(res, 200, { jsonrpc: '2.0', id: msg.id, result });
    }
    if (msg.method === 'ping') return json(res, 200, { jsonrpc: '2.0', id: msg.id, result: {} });
    const rpc = msg as { id: string | number; method: string; params?: { name?: string } };
    const targeted = (msg.method === 'tools/call' && on !== 'tools/list') || (msg.method === 'tools/list' && on !== 'tools/call');
    if (!targeted) {
      if (msg.method === 'tools/call' || msg.method === 'tools/list') return json(res, 200, properResult(rpc));
      return json(res, 200, { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: `Method not found: ${msg.method}` } });
    }
    entry.answered = behaviour.kind;
    misbehave(res, rpc, behaviour);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    get behaviour() {
      return { ...behaviour };
    },
    setBehaviour(b, target) {
      behaviour = normalize(b);
      if (target) on = target;
    },
    requests: () => seen.map((r) => ({ ...r })),
    connections: () => connections,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      })),
  };
}
