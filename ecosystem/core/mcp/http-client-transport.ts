// A client Transport for MCP's Streamable HTTP on node:http, for the clients
// of the ecosystem (the router's cached clients, the session runtime, the
// spawner's switchboard client) and of the harness.
//
// Why not the SDK's StreamableHTTPClientTransport: on this project's 2-core
// machines a tool call through it spent about 2.5 ms of client CPU in fetch's
// machinery (request cloning, web streams, header objects), against about
// 1 ms through node:http with a keep-alive agent (docs/performance.md,
// "Where a call's time went"). It also adds an abort listener to one signal
// per request and never removes it, so a long-lived client (a cached route)
// grew with every call. The protocol is the same: POST one JSON-RPC message,
// read a JSON or an SSE answer, keep `mcp-session-id` and the negotiated
// protocol version, DELETE to end the session. What it does not do: the
// optional standalone GET event stream (no client here takes server-initiated
// messages), redirects (a 3xx is an error), resumption and OAuth.
//
// Errors keep the SDK's shapes, so callers classify them alike: an HTTP error
// status is an HttpStatusError with that status and the SDK's message
// ("Streamable HTTP error: …"), an unexpected content type one with -1, a
// socket error keeps its code (ECONNREFUSED, ECONNRESET), a body that is not
// JSON a SyntaxError, a message that is not JSON-RPC what `validate` throws
// (the SDK schema's ZodError with ./jsonrpc.ts). The module imports no MCP
// SDK value, so the session runtime's bundle does not build the SDK's zod
// schemas at every start.
import http from 'node:http';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { shapeCheckedMessage } from './jsonrpc-shape.ts';
import { createParser } from 'eventsource-parser';

/** An answer grew past `maxResponseBytes`; the client stopped reading it. */
export class ResponseTooLargeError extends Error {
  readonly code = 'RESPONSE_TOO_LARGE';
  constructor(
    readonly bytes: number,
    readonly limit: number,
    declared: boolean,
  ) {
    super(`the answer ${declared ? 'declares' : 'reached'} ${bytes} bytes, over the ${limit}-byte limit (switchboard.max_response_bytes)`);
    this.name = 'ResponseTooLargeError';
  }
}

/** The SDK's StreamableHTTPError, same message and `code` (the HTTP status, or -1). */
export class HttpStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`Streamable HTTP error: ${message}`);
    this.name = 'HttpStatusError';
  }
}

export interface HttpClientTransportOptions {
  /** Sent with every request (a session token, a test's headers). */
  headers?: Record<string, string>;
  /** Largest answer read; larger ones fail with ResponseTooLargeError. Default: no limit. */
  maxResponseBytes?: number;
  /**
   * Turns a parsed message into a JSON-RPC message or throws. Default: a
   * shape check (./jsonrpc-shape.ts); `toJsonRpcMessage` of ./jsonrpc.ts
   * decides doubtful messages as the SDK does.
   */
  validate?: (value: unknown) => JSONRPCMessage;
}

const ERROR_TEXT_MAX = 64 * 1024;

function abortError(): Error {
  const err = new Error('This operation was aborted');
  err.name = 'AbortError';
  return err;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export class HttpClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  private readonly inflight = new Set<http.ClientRequest>();
  private readonly extraHeaders: Record<string, string>;
  private sid: string | undefined;
  private protocolVersion: string | undefined;
  private started = false;
  private closed = false;
  private readonly validate: (value: unknown) => JSONRPCMessage;

  constructor(
    private readonly url: URL,
    private readonly o: HttpClientTransportOptions = {},
  ) {
    if (url.protocol !== 'http:') throw new Error(`HttpClientTransport speaks plain http to local daemons, not ${url.protocol} (${url.href})`);
    this.extraHeaders = { ...o.headers };
    this.validate = o.validate ?? shapeCheckedMessage;
  }

  get sessionId(): string | undefined {
    return this.sid;
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('HttpClientTransport already started; Client.connect() calls start() itself');
    this.started = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const req of this.inflight) req.destroy(abortError());
    this.inflight.clear();
    this.agent.destroy();
    this.onclose?.();
  }

  /** Ends the session on the server (DELETE); a server that does not support it (405) is fine. */
  async terminateSession(): Promise<void> {
    if (!this.sid) return;
    const res = await this.request('DELETE', undefined, {});
    if (res.status !== 405 && (res.status < 200 || res.status >= 300)) {
      throw new HttpStatusError(res.status, `Failed to terminate session: ${res.text}`);
    }
    this.sid = undefined;
  }

  async send(message: JSONRPCMessage | JSONRPCMessage[]): Promise<void> {
    try {
      await this.post(message);
    } catch (err) {
      this.onerror?.(err as Error);
      throw err;
    }
  }

  /** Options of one request to the endpoint: the session's headers, then `headers`. */
  private options(method: string, headers: http.OutgoingHttpHeaders): http.RequestOptions {
    const h: http.OutgoingHttpHeaders = { ...this.extraHeaders };
    if (this.sid) h['mcp-session-id'] = this.sid;
    if (this.protocolVersion) h['mcp-protocol-version'] = this.protocolVersion;
    return { host: this.url.hostname, port: this.url.port || 80, path: this.url.pathname + this.url.search, method, agent: this.agent, headers: { ...h, ...headers } };
  }

  private async post(message: JSONRPCMessage | JSONRPCMessage[]): Promise<void> {
    const body = JSON.stringify(message);
    const messages = Array.isArray(message) ? message : [message];
    const hasRequests = messages.some((m) => 'method' in m && 'id' in m && m.id !== undefined);
    await new Promise<void>((resolve, reject) => {
      if (this.closed) return reject(abortError());
      const req = http.request(
        this.options('POST', { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': Buffer.byteLength(body) }),
        (res) => {
          const sid = res.headers['mcp-session-id'];
          if (typeof sid === 'string' && sid) this.sid = sid;
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            readErrorText(res).then(
              (text) => reject(new HttpStatusError(status, `Error POSTing to endpoint: ${status >= 300 && status < 400 ? `redirect to ${res.headers.location ?? '(no location)'} not followed` : text}`)),
              reject,
            );
            return;
          }
          if (status === 202 || !hasRequests) {
            res.resume();
            res.once('end', resolve).once('error', reject);
            return;
          }
          const type = mediaType(res.headers['content-type']);
          const limit = this.o.maxResponseBytes;
          const declared = Number(res.headers['content-length']);
          if (limit !== undefined && Number.isFinite(declared) && declared > limit) {
            res.destroy();
            return reject(new ResponseTooLargeError(declared, limit, true));
          }
          if (type === 'application/json') {
            readText(res, limit).then((text) => {
              const data: unknown = JSON.parse(text);
              const out = (Array.isArray(data) ? data : [data]).map(this.validate);
              for (const m of out) this.onmessage?.(m);
              resolve();
            }).catch(reject);
          } else if (type === 'text/event-stream') {
            // The answer comes as events on this stream; send() is done once it is open.
            this.readSse(res, limit);
            resolve();
          } else {
            res.resume();
            reject(new HttpStatusError(-1, `Unexpected content type: ${res.headers['content-type']}`));
          }
        },
      );
      this.inflight.add(req);
      req.once('close', () => this.inflight.delete(req));
      req.once('error', reject);
      req.end(body);
    });
  }

  private readSse(res: http.IncomingMessage, limit: number | undefined): void {
    let seen = 0;
    const parser = createParser({
      onEvent: (event) => {
        if (!event.data || (event.event && event.event !== 'message')) return;
        try {
          this.onmessage?.(this.validate(JSON.parse(event.data)));
        } catch (err) {
          this.onerror?.(err as Error);
        }
      },
    });
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      seen += Buffer.byteLength(chunk);
      if (limit !== undefined && seen > limit) {
        res.destroy(new ResponseTooLargeError(seen, limit, false));
        return;
      }
      parser.feed(chunk);
    });
    res.once('error', (err) => {
      if (!this.closed) this.onerror?.(new Error(`SSE stream disconnected: ${err}`));
    });
  }

  private request(method: string, body: string | undefined, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(this.options(method, headers), (res) => readErrorText(res).then((text) => resolve({ status: res.statusCode ?? 0, text }), reject));
      req.once('error', reject);
      req.end(body);
    });
  }
}

/** The body as text; past `limit` bytes the response is destroyed with a ResponseTooLargeError. */
function readText(res: http.IncomingMessage, limit: number | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    res.on('data', (c: Buffer) => {
      seen += c.length;
      if (limit !== undefined && seen > limit) {
        reject(new ResponseTooLargeError(seen, limit, false));
        res.destroy();
        return;
      }
      chunks.push(c);
    });
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
    res.once('aborted', () => reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
  });
}

/** An error answer's text, at most ERROR_TEXT_MAX bytes of it (the rest is read and dropped). */
function readErrorText(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    res.on('data', (c: Buffer) => {
      if (kept >= ERROR_TEXT_MAX) return;
      chunks.push(c.subarray(0, ERROR_TEXT_MAX - kept));
      kept += Math.min(c.length, ERROR_TEXT_MAX - kept);
    });
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
  });
}
