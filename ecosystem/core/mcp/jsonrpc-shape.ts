// JSON-RPC message checks by shape, with no zod and no MCP SDK value import,
// so the session runtime's bundle can use them without building the SDK's
// schemas at every start (docs/performance.md, "Session start").
//
// `surelyJsonRpc` is true only for a message the SDK's JSONRPCMessageSchema
// certainly accepts as it is; `./jsonrpc.ts` sends everything else to that
// schema, so what the daemons and the router accept and refuse stays the SDK's.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

const RELATED_TASK = 'io.modelcontextprotocol/related-task';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): boolean {
  return typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v));
}

/** `_meta` the schema surely accepts: absent, or an object whose known keys have their types. */
function plainMeta(meta: unknown): boolean {
  if (meta === undefined) return true;
  if (!isPlainObject(meta)) return false;
  if (meta.progressToken !== undefined && !isId(meta.progressToken)) return false;
  return meta[RELATED_TASK] === undefined;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[]): boolean {
  for (const k in o) if (!allowed.includes(k)) return false;
  return true;
}

const REQUEST_KEYS = ['jsonrpc', 'id', 'method', 'params'] as const;
const NOTIFICATION_KEYS = ['jsonrpc', 'method', 'params'] as const;
const RESULT_KEYS = ['jsonrpc', 'id', 'result'] as const;
const ERROR_KEYS = ['jsonrpc', 'id', 'error'] as const;
const ERROR_BODY_KEYS = ['code', 'message', 'data'] as const;

/** True when the SDK's JSONRPCMessageSchema certainly accepts `v` as it is. */
export function surelyJsonRpc(v: unknown): v is JSONRPCMessage {
  if (!isPlainObject(v) || v.jsonrpc !== '2.0') return false;
  if (typeof v.method === 'string') {
    const params = v.params;
    if (params !== undefined && !(isPlainObject(params) && plainMeta(params._meta))) return false;
    return v.id === undefined ? onlyKeys(v, NOTIFICATION_KEYS) : isId(v.id) && onlyKeys(v, REQUEST_KEYS);
  }
  if ('result' in v) return isId(v.id) && isPlainObject(v.result) && plainMeta(v.result._meta) && onlyKeys(v, RESULT_KEYS);
  if ('error' in v) {
    const e = v.error;
    return (
      (v.id === undefined || isId(v.id)) && onlyKeys(v, ERROR_KEYS) &&
      isPlainObject(e) && typeof e.code === 'number' && Number.isSafeInteger(e.code) && typeof e.message === 'string' && onlyKeys(e, ERROR_BODY_KEYS)
    );
  }
  return false;
}

/** A message that is not (surely) JSON-RPC, from a client that checks by shape only. */
export class NotJsonRpcError extends Error {
  constructor(v: unknown) {
    super(`not a JSON-RPC 2.0 message: ${JSON.stringify(v)?.slice(0, 200)}`);
    this.name = 'NotJsonRpcError';
  }
}

/** `v` when it is surely a JSON-RPC message; otherwise a NotJsonRpcError. */
export function shapeCheckedMessage(v: unknown): JSONRPCMessage {
  if (surelyJsonRpc(v)) return v;
  throw new NotJsonRpcError(v);
}

/** For messages the SDK's own Protocol produced: an answer (result or error) to a request. */
export function isAnswer(m: JSONRPCMessage): m is JSONRPCMessage & { id: string | number } {
  return 'result' in m || 'error' in m;
}

/** For parsed messages: a request (has a method and an id). */
export function isRequest(m: JSONRPCMessage): m is JSONRPCMessage & { id: string | number; method: string } {
  return 'method' in m && (m as { id?: unknown }).id !== undefined;
}
