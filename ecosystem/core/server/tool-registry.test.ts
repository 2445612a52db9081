import { Writable } from 'node:stream';
import { expect, test } from '@playwright/test';
import type { Pool } from 'pg';
import { z } from 'zod';
import { createLogger } from '../logging/logger.ts';
import { createRedactor } from '../logging/redactor.ts';
import { withExamples, withFormat } from '../json-schema.ts';
import { defineTool, ToolError, type ToolDef } from '../tool.ts';
import { ToolRegistry } from './tool-registry.ts';

function setup(tools: ToolDef[], sessionTools?: string[]) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (c, _e, cb) => (c.toString().trim().split('\n').forEach((l: string) => lines.push(JSON.parse(l))), cb()) });
  const redactor = createRedactor(['secret-key-123']);
  const log = createLogger({ butler: 'health', redactor, destination: sink, level: 'debug' });
  const reg = new ToolRegistry({ butler: 'health', log, redactor, sessionTools, context: () => ({ butler: 'health', db: {} as Pool, config: {}, services: { x: 1 } }) });
  reg.add(tools, 'test');
  return { reg, lines };
}

const info = (sessionId: string | null = null) => ({ sessionId, meta: { traceparent: 'tp' }, signal: new AbortController().signal });

const send = defineTool({
  name: 'send', description: 'Send.\nUse when: send.', sensitive: ['recipient'],
  input: {
    recipient: withExamples(z.string().describe('who'), ['alice@example.test']),
    n: z.number().int().min(1).default(1),
    at: withFormat(z.string().describe('when'), 'date-time').optional(),
  },
  handler: async (args, ctx) => ({ echoed: args, session: ctx.sessionId, meta: ctx.meta, when: new Date(0) }),
});
const op = defineTool({ name: 'op', audience: 'operator', description: 'Op.', input: {}, handler: async () => [1, 2] });
const fails = defineTool({
  name: 'fails', description: 'F.', input: { how: z.enum(['tool', 'crash', 'foreign']) },
  handler: async ({ how }) => {
    if (how === 'tool') throw new ToolError('not_found', 'no such thing', { id: 1 });
    if (how === 'foreign') {
      // A ToolError from a separately bundled copy of the class: recognised by shape.
      const e = new Error('other copy') as Error & { code: string };
      e.name = 'ToolError';
      e.code = 'conflict';
      throw e;
    }
    throw new Error('db exploded with secret-key-123');
  },
});

test('lists JSON Schemas and hides operator tools from sessions', () => {
  const { reg } = setup([send, op]);
  const all = reg.list({ sessionId: null });
  expect(all.map((t) => t.name)).toEqual(['send', 'op']);
  expect(all[0].inputSchema).toMatchObject({
    type: 'object',
    properties: {
      recipient: { type: 'string', description: 'who', examples: ['alice@example.test'] },
      n: { type: 'integer', minimum: 1, default: 1 },
      at: { type: 'string', format: 'date-time' },
    },
    required: ['recipient'],
  });
  expect(reg.list({ sessionId: 's1' }).map((t) => t.name)).toEqual(['send']);
});

test('sessions are offered opt-in tools only where runtime.session_tools names them; operators always see them', async () => {
  const report = defineTool({ name: 'report', session: 'opt_in', description: 'Report.', input: {}, handler: async () => ({ ok: true }) });
  const stats = defineTool({ name: 'stats', session: 'opt_in', description: 'Stats.', input: {}, handler: async () => ({ ok: true }) });
  const plain = setup([send, report, stats, op]).reg;
  expect(plain.list({ sessionId: null }).map((t) => t.name)).toEqual(['send', 'report', 'stats', 'op']);
  expect(plain.list({ sessionId: 's1' }).map((t) => t.name)).toEqual(['send']);
  // Not offered = not callable: the same "not found" as an operator tool.
  await expect(plain.call('report', {}, info('s1'))).rejects.toThrow('Tool report not found');
  expect((await plain.call('report', {}, info(null))).isError).toBeFalsy();

  const opted = setup([send, report, stats, op], ['stats', 'op']).reg;
  // Naming an operator tool does not open it to sessions: audience wins.
  expect(opted.list({ sessionId: 's1' }).map((t) => t.name)).toEqual(['send', 'stats']);
  expect((await opted.call('stats', {}, info('s1'))).isError).toBeFalsy();
  await expect(opted.call('op', {}, info('s1'))).rejects.toThrow('Tool op not found');
});

test('results carry structured content and the same JSON as text; non-objects are wrapped', async () => {
  const { reg } = setup([send, op]);
  const r = await reg.call('send', { recipient: 'alice@example.test' }, info('s-1'));
  expect(r.isError).toBeFalsy();
  // The handler's meta continues the call's `tool:send` span (an invalid incoming traceparent starts a new trace).
  expect(r.structuredContent).toEqual({ echoed: { recipient: 'alice@example.test', n: 1 }, session: 's-1', meta: { traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/) }, when: '1970-01-01T00:00:00.000Z' });
  expect(JSON.parse((r.content[0] as { text: string }).text)).toEqual(r.structuredContent);
  expect((await reg.call('op', {}, info())).structuredContent).toEqual({ result: [1, 2] });
});

test('sessions get "tool not found" for operator and unknown tools', async () => {
  const { reg } = setup([op]);
  await expect(reg.call('op', {}, info('s-1'))).rejects.toThrow('Tool op not found');
  await expect(reg.call('nope', {}, info())).rejects.toThrow('Tool nope not found');
});

test('failures become isError results with stable codes and the registry lives on', async () => {
  const { reg, lines } = setup([fails, send]);
  expect((await reg.call('fails', { how: 'tool' }, info())).structuredContent).toEqual({ error: 'not_found', message: 'no such thing', details: { id: 1 } });
  expect((await reg.call('fails', { how: 'foreign' }, info())).structuredContent).toMatchObject({ error: 'conflict', message: 'other copy' });
  const crash = await reg.call('fails', { how: 'crash' }, info());
  expect(crash).toMatchObject({ isError: true, structuredContent: { error: 'internal_error', message: 'db exploded with ***' } });
  const bad = await reg.call('send', { recipient: 5 }, info());
  expect(bad.structuredContent).toMatchObject({ error: 'invalid_arguments', details: { issues: [{ path: 'recipient', code: 'invalid_type' }] } });
  expect(lines.find((l) => l.event === 'tool.internal_error')).toMatchObject({ level: 50, tool: 'fails', error_class: 'Error' });
  expect(reg.running).toBe(0);
});

test('tool.call is a debug line with sensitive arguments redacted', async () => {
  const { reg, lines } = setup([send]);
  await reg.call('send', { recipient: 'bob@example.test', n: 2 }, info('s-9'));
  const line = lines.find((l) => l.event === 'tool.call');
  expect(line).toMatchObject({ level: 20, tool: 'send', session_id: 's-9', status: 'success', args: { recipient: '***', n: 2 } });
  expect(JSON.stringify(lines)).not.toContain('bob@example.test');
});

test('a duplicate tool name is rejected', () => {
  const { reg } = setup([send]);
  expect(() => reg.add([send], 'roster')).toThrow('tool send from roster clashes');
});
