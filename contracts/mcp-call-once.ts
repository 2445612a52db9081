import http from 'node:http';

/** A `tools/call` result as it came over the wire (MCP CallToolResult). */
export interface RawToolResult {
  content?: Array<{ type: string; text?: string }>;
  structuredContent?: unknown;
  isError?: boolean;
  [key: string]: unknown;
}

export interface CallOnceOptions {
  /** Whole exchange, all four requests; default 5 s. */
  timeoutMs?: number;
  clientName?: string;
  clientVersion?: string;
  /** `_meta` of the call (e.g. a traceparent). */
  meta?: Record<string, unknown>;
  signal?: AbortSignal;
}

/**
 * One tool call over MCP Streamable HTTP (protocol revision 2025-03-26 and
 * later), spoken directly with node:http: `initialize`,
 * `notifications/initialized`, `tools/call`, then `DELETE` of the session.
 * Used where a process makes exactly one call while a whole ecosystem is
 * starting on the same cores: the harness's readiness `status` probe and a
 * butler's registration with the switchboard.
 *
 * Why not the SDK client: a first SDK session in a process (fetch, web
 * streams, schema parsing, all still cold) cost 65-200 ms of CPU, paid by
 * every butler and by the harness for every butler at every boot. This is the
 * same protocol on the same endpoint; the server cannot tell the difference.
 * Clients that keep a session use the SDK's Client over
 * ecosystem/core/mcp/http-client-transport.ts (the session runtime uses
 * ecosystem/core/mcp/lean-client.ts over it).
 * A JSON-RPC error rejects; a tool error is a result with `isError`.
 */
export async function callToolOnce(url: string, tool: string, args: Record<string, unknown> = {}, opts: CallOnceOptions = {}): Promise<RawToolResult> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ctx: Ctx = { url, agent, deadline, signal: opts.signal };
  let session: string | undefined;
  let protocolVersion = LATEST;
  try {
    const init = await rpc(ctx, undefined, protocolVersion, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: opts.clientName ?? 'mcp-call-once', version: opts.clientVersion ?? '1.0.0' } },
    });
    session = init.session;
    const result = resultOf(init.message, 'initialize') as { protocolVersion?: unknown };
    if (typeof result.protocolVersion === 'string') protocolVersion = result.protocolVersion;
    await rpc(ctx, session, protocolVersion, { jsonrpc: '2.0', method: 'notifications/initialized' });
    const call = await rpc(ctx, session, protocolVersion, {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: tool, arguments: args, ...(opts.meta ? { _meta: opts.meta } : {}) },
    });
    return resultOf(call.message, `tools/call ${tool}`) as RawToolResult;
  } finally {
    // A session left open would hold server memory until its idle reaper runs.
    if (session) await request({ ...ctx, deadline: Math.max(ctx.deadline, Date.now() + 1000), signal: undefined }, 'DELETE', session, protocolVersion).catch(() => undefined);
    agent.destroy();
  }
}

const LATEST = '2025-06-18';

interface Ctx {
  url: string;
  agent: http.Agent;
  deadline: number;
  signal: AbortSignal | undefined;
}

function resultOf(message: unknown, what: string): Record<string, unknown> {
  const m = message as { result?: Record<string, unknown>; error?: { code?: number; message?: string } } | undefined;
  if (m?.error) throw new Error(`${what} failed: ${m.error.message ?? 'error'} (JSON-RPC ${m.error.code ?? '?'})`);
  if (!m?.result || typeof m.result !== 'object') throw new Error(`${what}: no result in ${JSON.stringify(message)?.slice(0, 200)}`);
  return m.result;
}

/** POSTs one JSON-RPC message; returns the response to it (undefined for a notification) and the session id. */
async function rpc(
  ctx: Ctx,
  session: string | undefined,
  protocolVersion: string,
  body: { jsonrpc: '2.0'; id?: number; method: string; params?: unknown },
): Promise<{ message: unknown; session: string | undefined }> {
  const res = await request(ctx, 'POST', session, protocolVersion, JSON.stringify(body));
  if (res.status === 202) return { message: undefined, session: res.session ?? session };
  if (res.status !== 200) throw new Error(`${body.method}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  let message: unknown;
  if (res.type.includes('text/event-stream')) {
    // A server may answer on an SSE stream even to a plain POST: take the event that answers our id.
    for (const block of res.body.split(/\r?\n\r?\n/)) {
      const data = block
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      const parsed = JSON.parse(data) as { id?: unknown };
      if (parsed.id === body.id) message = parsed;
    }
  } else {
    message = JSON.parse(res.body);
  }
  if (Array.isArray(message)) message = message.find((m) => (m as { id?: unknown }).id === body.id);
  return { message, session: res.session ?? session };
}

function request(
  ctx: Ctx,
  method: 'POST' | 'DELETE',
  session: string | undefined,
  protocolVersion: string,
  body?: string,
): Promise<{ status: number; type: string; session: string | undefined; body: string }> {
  const { url, agent, deadline, signal } = ctx;
  if (signal?.aborted) return Promise.reject(new Error(`aborted (${method} ${url})`));
  const timeout = deadline - Date.now();
  if (timeout <= 0) return Promise.reject(new Error(`no answer within the call's time limit (${method} ${url})`));
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': protocolVersion,
  };
  if (session) headers['mcp-session-id'] = session;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers, timeout, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          session: typeof res.headers['mcp-session-id'] === 'string' ? res.headers['mcp-session-id'] : undefined,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms (${method} ${url})`)));
    req.on('error', (err) => reject(signal?.aborted ? new Error(`aborted (${method} ${url})`) : err));
    req.end(body);
  });
}
