import { expect, test } from '@playwright/test';
import { z } from 'zod';
import { parseResult, toOutcome } from './client.ts';

const Row = z.object({ id: z.string().uuid(), nested: z.object({ n: z.number() }) });

test('a matching result comes back parsed, with the schema defaults applied', () => {
  const WithDefault = Row.extend({ tags: z.array(z.string()).default([]) });
  const got = parseResult('x_get', 'http://127.0.0.1:1/mcp', WithDefault, { id: '00000000-0000-4000-8000-000000000000', nested: { n: 1 } });
  expect(got).toEqual({ id: '00000000-0000-4000-8000-000000000000', nested: { n: 1 }, tags: [] });
});

test('a mismatch names the tool, the endpoint and every offending field', () => {
  expect(() => parseResult('x_get', 'http://127.0.0.1:1/mcp', Row, { id: 'nope', nested: { n: 'one' } })).toThrow(
    /^tool x_get at http:\/\/127\.0\.0\.1:1\/mcp answered with a result that does not match its contract: id: Invalid uuid; nested\.n: Expected number, received string; got \{"id":"nope"/,
  );
  expect(() => parseResult('x_get', 'u', Row, 'plain text')).toThrow(/\(result\): Expected object, received string/);
});

test('toOutcome prefers structuredContent and falls back to the JSON of the text blocks', () => {
  expect(toOutcome({ structuredContent: { a: 1 }, content: [{ type: 'text', text: '{"a":2}' }] }).data).toEqual({ a: 1 });
  expect(toOutcome({ content: [{ type: 'text', text: '{"a":2}' }] }).data).toEqual({ a: 2 });
  expect(toOutcome({ isError: true, content: [{ type: 'text', text: 'boom' }] })).toEqual({ isError: true, data: 'boom', text: 'boom' });
});
