// JSON-RPC messages as the SDK's JSONRPCMessageSchema decides, with the
// zod parse (about 0.1 ms a message on a daemon) only for what the shape
// check of ./jsonrpc-shape.ts cannot settle.
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { surelyJsonRpc } from './jsonrpc-shape.ts';

export { isAnswer, isRequest, surelyJsonRpc } from './jsonrpc-shape.ts';

/** `v` as a JSON-RPC message, or throws the schema's error. */
export function toJsonRpcMessage(v: unknown): JSONRPCMessage {
  return surelyJsonRpc(v) ? v : (JSONRPCMessageSchema.parse(v) as JSONRPCMessage);
}
