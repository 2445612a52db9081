// The server side of MCP's Streamable HTTP for one session, on node:http.
//
// Why not the SDK's StreamableHTTPServerTransport: it turns every node
// request into a web Request and every answer back (through
// @hono/node-server), reads the body through web streams and tests each
// message against the initialize schema with a failing zod parse. Profiled
// under a call loop that was about a third of a daemon's CPU per tool call
// (docs/performance.md, "Where a call's time went"). This transport keeps the
// SDK's protocol behaviour and its answers, status codes and messages (the MCP
// conformance suite runs against every butler, specs/contracts), for the mode
// the daemons use: one stateful session per client, JSON answers to POSTs, a
// standalone GET event stream for server-initiated messages, DELETE to end.
// What it leaves out, as the daemons never used it: SSE answers to POSTs,
// resumability (event stores, Last-Event-ID) and stateless mode.
import type http from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isInitializeRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { isAnswer, isRequest, toJsonRpcMessage } from '../mcp/jsonrpc.ts';

/** The SDK's bounds: a 4 MiB body, 100 messages in a batch. */
export const MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024;
export const MAX_BATCH_SIZE = 100;
const KEEP_ALIVE_MS = 25_000;

export interface StreamableTransportOptions {
  sessionIdGenerator: () => string;
  onsessioninitialized?: (sessionId: string) => void;
  onsessionclosed?: (sessionId: string) => void;
  maxRequestBodyBytes?: number;
}

/** A POST waiting for the answers to its requests. */
interface PendingPost {
  res: http.ServerResponse;
  ids: RequestId[];
  answers: Map<RequestId, JSONRPCMessage>;
  batch: boolean;
}

type Req = http.IncomingMessage & { auth?: AuthInfo };

export class StreamableServerTransport implements Transport {
  sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private initialized = false;
  private closed = false;
  private readonly pending = new Map<RequestId, PendingPost>();
  private standalone: { res: http.ServerResponse; timer: NodeJS.Timeout } | undefined;
  private readonly maxBody: number;

  constructor(private readonly o: StreamableTransportOptions) {
    this.maxBody = o.maxRequestBodyBytes ?? MAX_REQUEST_BODY_BYTES;
  }

  async start(): Promise<void> {}

  async handleRequest(req: Req, res: http.ServerResponse): Promise<void> {
    if (this.closed) return this.fail(res, 404, -32001, 'Session not found');
    switch (req.method) {
      case 'POST':
        return this.handlePost(req, res);
      case 'GET':
        return this.handleGet(req, res);
      case 'DELETE':
        return this.handleDelete(req, res);
      default:
        this.onerror?.(new Error('Method not allowed.'));
        res.writeHead(405, { allow: 'GET, POST, DELETE', 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));
    }
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    // Messages here come from the SDK's Protocol, already well formed: a key check tells an answer.
    const answer = isAnswer(message);
    const requestId = answer ? message.id : options?.relatedRequestId;
    if (requestId === undefined) {
      // A server-initiated message: the standalone stream, when the client opened one.
      if (this.standalone) this.standalone.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
      return;
    }
    const post = this.pending.get(requestId);
    if (!post) {
      if (answer) throw new Error(`No connection established for request ID: ${String(requestId)}`);
      return; // progress or logging for a request answered as JSON: nowhere to put it
    }
    if (!answer) return;
    post.answers.set(requestId, message);
    if (post.answers.size < post.ids.length) return;
    for (const id of post.ids) this.pending.delete(id);
    const body = post.batch ? post.ids.map((id) => post.answers.get(id)) : post.answers.get(post.ids[0]);
    if (post.res.writableEnded || post.res.destroyed) return;
    const text = JSON.stringify(body);
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
    if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
    post.res.writeHead(200, headers).end(text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.endStandalone();
    for (const post of new Set(this.pending.values())) if (!post.res.writableEnded) post.res.destroy();
    this.pending.clear();
    this.onclose?.();
  }

  private async handlePost(req: Req, res: http.ServerResponse): Promise<void> {
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return this.fail(res, 406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') return this.fail(res, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');

    let raw: unknown;
    try {
      const body = await readBody(req, this.maxBody);
      if (body === null) return this.fail(res, 413, -32000, `Payload Too Large: Request body must not exceed ${this.maxBody} bytes`);
      raw = JSON.parse(body);
    } catch {
      return this.fail(res, 400, -32700, 'Parse error: Invalid JSON');
    }
    if (Array.isArray(raw) && raw.length > MAX_BATCH_SIZE) {
      return this.fail(res, 400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`);
    }
    let messages: JSONRPCMessage[];
    try {
      messages = (Array.isArray(raw) ? raw : [raw]).map(toJsonRpcMessage);
    } catch {
      return this.fail(res, 400, -32700, 'Parse error: Invalid JSON-RPC message');
    }
    if (this.closed) return this.fail(res, 404, -32001, 'Session not found');

    // The initialize schema is only tried on a message that says it initializes.
    const init = messages.some((m) => (m as { method?: unknown }).method === 'initialize' && isInitializeRequest(m));
    if (init) {
      if (this.initialized && this.sessionId !== undefined) return this.fail(res, 400, -32600, 'Invalid Request: Server already initialized');
      if (messages.length > 1) return this.fail(res, 400, -32600, 'Invalid Request: Only one initialization request is allowed');
      this.sessionId = this.o.sessionIdGenerator();
      this.initialized = true;
      this.o.onsessioninitialized?.(this.sessionId);
    } else if (!this.validSession(req, res) || !this.validVersion(req, res)) {
      return;
    }
    if (this.closed) return this.fail(res, 404, -32001, 'Session not found');

    const extra: MessageExtraInfo = { authInfo: req.auth, requestInfo: { headers: req.headers } };
    const requests = messages.filter(isRequest);
    if (requests.length === 0) {
      res.writeHead(202).end();
      for (const m of messages) this.onmessage?.(m, extra);
      return;
    }
    const post: PendingPost = { res, ids: requests.map((r) => r.id), answers: new Map(), batch: Array.isArray(raw) };
    for (const id of post.ids) this.pending.set(id, post);
    res.once('close', () => {
      // The client went away before every answer was ready: forget the post.
      if (post.answers.size < post.ids.length) for (const id of post.ids) if (this.pending.get(id) === post) this.pending.delete(id);
    });
    for (const m of messages) this.onmessage?.(m, extra);
  }

  private handleGet(req: Req, res: http.ServerResponse): void {
    if (!(req.headers.accept ?? '').includes('text/event-stream')) return this.fail(res, 406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    if (!this.validSession(req, res) || !this.validVersion(req, res)) return;
    if (this.standalone) return this.fail(res, 409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    };
    if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
    res.writeHead(200, headers);
    res.flushHeaders();
    const timer = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS).unref();
    const stream = { res, timer };
    this.standalone = stream;
    res.once('close', () => {
      clearInterval(timer);
      if (this.standalone === stream) this.standalone = undefined;
    });
  }

  private handleDelete(req: Req, res: http.ServerResponse): void {
    if (!this.validSession(req, res) || !this.validVersion(req, res)) return;
    if (this.sessionId) this.o.onsessionclosed?.(this.sessionId);
    res.writeHead(200).end();
    void this.close();
  }

  private validSession(req: Req, res: http.ServerResponse): boolean {
    if (!this.initialized) return this.fail(res, 400, -32000, 'Bad Request: Server not initialized'), false;
    const sid = req.headers['mcp-session-id'];
    if (!sid) return this.fail(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required'), false;
    if (sid !== this.sessionId) return this.fail(res, 404, -32001, 'Session not found'), false;
    return true;
  }

  private validVersion(req: Req, res: http.ServerResponse): boolean {
    const v = req.headers['mcp-protocol-version'];
    if (typeof v === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(v)) {
      this.fail(res, 400, -32000, `Bad Request: Unsupported protocol version: ${v} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
      return false;
    }
    return true;
  }

  private endStandalone(): void {
    if (!this.standalone) return;
    clearInterval(this.standalone.timer);
    this.standalone.res.end();
    this.standalone = undefined;
  }

  private fail(res: http.ServerResponse, status: number, code: number, message: string): void {
    this.onerror?.(new Error(message));
    const text = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  }
}

/** The body as text, or null when it is (or declares to be) over `max` bytes. */
function readBody(req: http.IncomingMessage, max: number): Promise<string | null> {
  if (Number(req.headers['content-length']) > max) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      seen += c.length;
      if (seen > max) {
        over = true;
        return resolve(null);
      }
      chunks.push(c);
    });
    req.once('end', () => !over && resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}
