import http from 'node:http';
import { newTraceparent, toOutcome, type ToolOutcome } from './client.ts';

/**
 * One tool call over MCP Streamable HTTP, spoken directly with node:http:
 * `initialize`, `notifications/initialized`, `tools/call`, then `DELETE` of
 * the session. Readiness uses it to ask each booting butler for `status`.
 *
 * Why not the SDK client: a readiness probe runs once per butler while six
 * daemons start on the same cores, and a first SDK session (fetch, web
 * streams, schema parsing, all still cold) cost the harness ~65 ms of CPU per
 * butler, ~0.4 s per boot. This is the same protocol on the same endpoint;
 * the daemon cannot tell the difference. Tests use the SDK client
 * (`connectMcp`) everywhere else.
 */
export async function callToolOnce<T = unknown>(
  url: string,
  tool: string,
  args: Record<string, unknown> = {},
  opts: { timeoutMs?: number; clientName?: string } = {},
): Promise<ToolOutcome<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let session: string | undefined;
  let protocolVersion = LATEST;
  try {
    const init = await rpc(url, agent, deadline, undefined, protocolVersion, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: opts.clientName ?? 'butlers-e2e-probe', version: '0.1.0' } },
    });
    session = init.session;
    const result = resultOf(init.message, 'initialize') as { protocolVersion?: string };
    if (typeof result.protocolVersion === 'string') protocolVersion = result.protocolVersion;
    await rpc(url, agent, deadline, session, protocolVersion, { jsonrpc: '2.0', method: 'notifications/initialized' });
    const call = await rpc(url, agent, deadline, session, protocolVersion, {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: tool, arguments: args, _meta: { traceparent: newTraceparent() } },
    });
    return toOutcome<T>(resultOf(call.message, `tools/call ${tool}`) as Parameters<typeof toOutcome>[0]);
  } finally {
    if (session) await request(url, agent, deadline, 'DELETE', session, protocolVersion).catch(() => undefined);
    agent.destroy();
  }
}

const LATEST = '2025-06-18';

function resultOf(message: unknown, what: string): Record<string, unknown> {
  const m = message as { result?: Record<string, unknown>; error?: { code?: number; message?: string } } | undefined;
  if (m?.error) throw new Error(`${what} failed: ${m.error.message ?? 'error'} (JSON-RPC ${m.error.code ?? '?'})`);
  if (!m?.result || typeof m.result !== 'object') throw new Error(`${what}: no result in ${JSON.stringify(message)?.slice(0, 200)}`);
  return m.result;
}

/** POSTs one JSON-RPC message; returns the response to it (undefined for a notification) and the session id. */
async function rpc(
  url: string,
  agent: http.Agent,
  deadline: number,
  session: string | undefined,
  protocolVersion: string,
  body: { jsonrpc: '2.0'; id?: number; method: string; params?: unknown },
): Promise<{ message: unknown; session: string | undefined }> {
  const res = await request(url, agent, deadline, 'POST', session, protocolVersion, JSON.stringify(body));
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
  url: string,
  agent: http.Agent,
  deadline: number,
  method: 'POST' | 'DELETE',
  session: string | undefined,
  protocolVersion: string,
  body?: string,
): Promise<{ status: number; type: string; session: string | undefined; body: string }> {
  const timeout = deadline - Date.now();
  if (timeout <= 0) return Promise.reject(new Error(`no answer within the probe's time limit (${method} ${url})`));
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
    const req = http.request(url, { method, agent, headers, timeout }, (res) => {
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
    req.on('error', reject);
    req.end(body);
  });
}
