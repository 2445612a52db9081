import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RouteError } from '../../../contracts/route-result.ts';

/** A failed call mapped to the route contract (docs/ecosystem.md §8.5 step 8). */
export interface CallFailure {
  error: RouteError;
  error_class: string;
  message: string;
  /** Transport failure or timeout: counts towards quarantine. */
  counts: boolean;
  /** The client can no longer be trusted and is dropped from the cache. */
  discard: boolean;
  /** HTTP 404 "session not found": a cached client whose server forgot it. */
  sessionNotFound: boolean;
}

const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const CONNECT_TIMEOUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function unavailable(error_class: string, message: string, sessionNotFound = false): CallFailure {
  return { error: 'target_unavailable', error_class, message, counts: true, discard: true, sessionNotFound };
}

function malformed(message: string, error_class = 'malformed_response'): CallFailure {
  return { error: 'malformed_response', error_class, message, counts: false, discard: true, sessionNotFound: false };
}

/** Error codes and messages along the `cause` chain (fetch wraps the socket error). */
function chain(err: unknown): { codes: string[]; messages: string[] } {
  const codes: string[] = [];
  const messages: string[] = [];
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    const x = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof x.code === 'string') codes.push(x.code);
    if (typeof x.message === 'string') messages.push(x.message);
    e = x.cause;
  }
  return { codes, messages };
}

/**
 * Maps whatever a client call threw to a route outcome. `timedOut` is the
 * router's own deadline having fired: whatever the SDK reports then, it is a timeout.
 */
export function classifyCallError(err: unknown, timedOut: boolean, timeoutMs: number): CallFailure {
  const { codes, messages } = chain(err);
  const detail = messages.filter((m, i) => m && messages.indexOf(m) === i).join(': ') || String(err);
  if (codes.includes('RESPONSE_TOO_LARGE')) return malformed(`the target's answer is too large: ${detail}`, 'response_too_large');
  if (timedOut) {
    return { error: 'timeout', error_class: 'timeout', message: `no answer within ${timeoutMs} ms`, counts: true, discard: true, sessionNotFound: false };
  }
  if (err instanceof StreamableHTTPError || /^Streamable HTTP error/.test(messages[0] ?? '')) {
    const status = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
    if (status === -1) return malformed(`the target answered with something that is not MCP: ${detail}`);
    return unavailable(`http_${status}`, `HTTP ${status}: ${detail}`, status === 404);
  }
  if (err instanceof McpError) {
    if (err.code === ErrorCode.ConnectionClosed) return unavailable('connection_closed', detail);
    if (err.code === ErrorCode.RequestTimeout) {
      return { error: 'timeout', error_class: 'timeout', message: detail, counts: true, discard: true, sessionNotFound: false };
    }
    // The target answered with a JSON-RPC error (unknown tool, bad arguments): it is alive.
    return { error: 'tool_error', error_class: 'jsonrpc_error', message: `JSON-RPC error ${err.code}: ${detail}`, counts: false, discard: false, sessionNotFound: false };
  }
  const name = (err as { name?: unknown })?.name;
  if (name === 'ZodError' || name === 'NotJsonRpcError' || Array.isArray((err as { issues?: unknown })?.issues)) return malformed(`the target's answer does not follow MCP: ${detail}`);
  if (err instanceof SyntaxError) return malformed(`the target's answer is not valid JSON: ${detail}`);
  if (codes.includes('ECONNREFUSED')) return unavailable('connection_refused', detail);
  if (codes.some((c) => RESET.has(c)) || messages.includes('terminated')) return unavailable('connection_reset', detail);
  if (codes.includes('UND_ERR_CLOSED')) return unavailable('connection_closed', detail);
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) return unavailable('dns_error', detail);
  if (codes.some((c) => CONNECT_TIMEOUT.has(c))) return unavailable('connect_timeout', detail);
  if (name === 'AbortError' || messages.includes('Not connected')) return unavailable('connection_closed', detail);
  return unavailable('transport_error', detail);
}
