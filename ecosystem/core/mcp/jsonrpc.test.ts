import { expect, test } from '@playwright/test';
import fc from 'fast-check';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { surelyJsonRpc, toJsonRpcMessage } from './jsonrpc.ts';

// The fast check may only accept what the SDK's schema accepts; whatever it
// declines, the schema decides. So for any value: fast accept => schema accept.
const id = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.double(), fc.constant(null), fc.constant(undefined));
const meta = fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant(5), fc.record({ progressToken: id }, { requiredKeys: [] }), fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }));
const params = fc.oneof(fc.constant(undefined), fc.constant('x'), fc.constant([]), fc.record({ _meta: meta, name: fc.string({ maxLength: 3 }) }, { requiredKeys: [] }));
const message = fc.record(
  {
    jsonrpc: fc.constantFrom('2.0', '1.0', 2),
    id,
    method: fc.oneof(fc.string({ maxLength: 5 }), fc.constant(7)),
    params,
    result: fc.oneof(fc.constant(undefined), fc.constant(1), fc.record({ _meta: meta, content: fc.constant([]) }, { requiredKeys: [] })),
    error: fc.oneof(fc.constant(undefined), fc.constant('x'), fc.record({ code: fc.oneof(fc.integer(), fc.double()), message: fc.oneof(fc.string({ maxLength: 3 }), fc.constant(1)), data: fc.jsonValue({ maxDepth: 1 }), more: fc.constant(1) }, { requiredKeys: [] })),
    extra: fc.constant(1),
  },
  { requiredKeys: [] },
);

test('the fast check never accepts what the SDK schema refuses', () => {
  fc.assert(
    fc.property(message, (m) => {
      const clean = JSON.parse(JSON.stringify(m));
      if (surelyJsonRpc(clean)) expect(JSONRPCMessageSchema.safeParse(clean).success).toBe(true);
    }),
    { numRuns: 20000 },
  );
});

test('common messages take the fast path; others are decided by the schema', () => {
  expect(surelyJsonRpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', arguments: {}, _meta: { traceparent: 't' } } })).toBe(true);
  expect(surelyJsonRpc({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBe(true);
  expect(surelyJsonRpc({ jsonrpc: '2.0', id: 'a', result: { content: [] } })).toBe(true);
  expect(surelyJsonRpc({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'no' } })).toBe(true);
  // Doubtful ones go to the schema: an error with a field the shape check does not know, a related-task _meta.
  expect(surelyJsonRpc({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'no', hint: 1 } })).toBe(false);
  expect(toJsonRpcMessage({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'no', hint: 1 } })).toMatchObject({ id: 1 });
  const task = { jsonrpc: '2.0', id: 2, method: 'x', params: { _meta: { 'io.modelcontextprotocol/related-task': { taskId: 't' } } } };
  expect(surelyJsonRpc(task)).toBe(false);
  expect(toJsonRpcMessage(task)).toMatchObject({ id: 2 });
  expect(() => toJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 'x', extra: true })).toThrow();
  expect(() => toJsonRpcMessage({ jsonrpc: '2.0', id: 1.5, method: 'x' })).toThrow();
});
