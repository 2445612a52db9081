import Anthropic, { type APIError } from '@anthropic-ai/sdk';
import { expect, test } from '@playwright/test';
import { type ModelDoubleHandle, startModelDouble } from './server.ts';
import { tools } from '../testing/model-double-fixtures.ts';

const KEY = 'sk-fake-faults';
let double: ModelDoubleHandle;

test.beforeAll(async () => {
  double = await startModelDouble({ apiKey: KEY });
});
test.afterAll(async () => {
  await double.close();
});
test.afterEach(async () => {
  await double.control.clearFaults();
});

function sdk(tag: string, maxRetries = 0) {
  return new Anthropic({ apiKey: KEY, baseURL: double.url, maxRetries, defaultHeaders: { 'x-butlers-butler': 'health', 'x-butlers-tag': tag } });
}
const params = {
  model: 'claude-haiku-4-5',
  max_tokens: 256,
  messages: [{ role: 'user' as const, content: 'Weight 77 kg today' }],
  tools: tools as Anthropic.Tool[],
};

async function failure(p: Promise<unknown>): Promise<APIError | Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the SDK call to fail');
}

test('status 429 with retry-after: maxRetries 0 surfaces RateLimitError, maxRetries 2 recovers', async () => {
  await double.control.addFault({ match: { tag: 't429' }, action: { type: 'status', code: 429, retry_after: 7 } });
  const err = await failure(sdk('t429').messages.create(params));
  expect(err).toBeInstanceOf(Anthropic.RateLimitError);
  expect((err as APIError).headers?.get('retry-after')).toBe('7');
  expect(((err as APIError).error as { error: { type: string } }).error.type).toBe('rate_limit_error');

  await double.control.addFault({ match: { tag: 't429b' }, action: { type: 'status', code: 429, retry_after: 0.05 }, times: 2 });
  const ok = await sdk('t429b', 2).messages.create(params);
  expect(ok.stop_reason).toBe('tool_use');
  const log = await double.control.requests({ tag: 't429b' });
  expect(log.map((r) => r.status)).toEqual([429, 429, 200]);
  expect(log[0].fault_id).not.toBeNull();
  expect(log[2].fault_id).toBeNull();
});

test('status 401, 500 and 529 map to the SDK error classes with Anthropic error bodies', async () => {
  const cases: Array<[number, new (...a: never[]) => Error, string]> = [
    [401, Anthropic.AuthenticationError, 'authentication_error'],
    [500, Anthropic.InternalServerError, 'api_error'],
    [529, Anthropic.OverloadedError, 'overloaded_error'],
  ];
  for (const [code, cls, type] of cases) {
    await double.control.addFault({ match: { tag: `s${code}` }, action: { type: 'status', code } });
    const err = (await failure(sdk(`s${code}`).messages.create(params))) as APIError;
    expect(err).toBeInstanceOf(cls);
    expect(err.status).toBe(code);
    expect((err.error as { type: string; error: { type: string } }).error.type).toBe(type);
  }
});

test('malformed answers 200 with a broken body; the SDK fails to parse it', async () => {
  await double.control.addFault({ match: { tag: 'bad' }, action: 'malformed' });
  const err = await failure(sdk('bad').messages.create(params));
  expect(err.message).toMatch(/JSON|Unexpected|Unterminated/i);
  const [row] = await double.control.requests({ tag: 'bad' });
  expect(row).toMatchObject({ status: 200, summary: 'fault malformed' });
});

test('disconnect destroys the socket: a connection error, and a retry then succeeds', async () => {
  await double.control.addFault({ match: { tag: 'cut' }, action: { type: 'disconnect' } });
  const err = await failure(sdk('cut').messages.create(params));
  expect(err).toBeInstanceOf(Anthropic.APIConnectionError);
  await double.control.addFault({ match: { tag: 'cut2' }, action: 'disconnect' });
  const ok = await sdk('cut2', 1).messages.create(params);
  expect(ok.content[0].type).toBe('tool_use');
});

test('hold keeps the request until released; the log shows it pending meanwhile', async () => {
  await double.control.addFault({ match: { tag: 'held' }, action: 'hold' });
  let settled = false;
  const call = sdk('held').messages.create(params).finally(() => {
    settled = true;
  });
  const held = await double.control.waitForHeld({ tag: 'held' }, 5000);
  expect(held).toMatchObject({ held: true, pending: true, status: null });
  await new Promise((r) => setTimeout(r, 150));
  expect(settled).toBe(false);
  expect(await double.control.release(held.id)).toBe(true);
  const res = await call;
  expect(res.content[0]).toMatchObject({ type: 'tool_use', name: 'measurement_log' });
  expect(await double.control.release(held.id)).toBe(false);
  expect((await double.control.request(held.id))?.pending).toBe(false);
});

test('delay answers normally after the given time', async () => {
  await double.control.addFault({ match: { tag: 'slow' }, action: { type: 'delay', ms: 300 } });
  const started = Date.now();
  const res = await sdk('slow').messages.create(params);
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  expect(res.content[0].type).toBe('tool_use');
});

test('text, json and tool_use faults replace the answer', async () => {
  await double.control.addFault({ match: { tag: 'txt' }, action: { type: 'text', text: 'not json at all' } });
  const t = await sdk('txt').messages.create(params);
  expect(t).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: 'not json at all' }] });
  await double.control.addFault({ match: { tag: 'js' }, action: { type: 'json', value: [] } });
  expect((await sdk('js').messages.create(params)).content).toEqual([{ type: 'text', text: '[]' }]);
  await double.control.addFault({ match: { tag: 'tu' }, action: { type: 'tool_use', name: 'no_such_tool', input: { a: 1 } } });
  const tu = await sdk('tu').messages.create(params);
  expect(tu.stop_reason).toBe('tool_use');
  expect(tu.content[0]).toMatchObject({ type: 'tool_use', name: 'no_such_tool', input: { a: 1 } });
});

test('matching: butler, session kind, prompt_contains, nth and times', async () => {
  const { id } = await double.control.addFault({
    match: { butler: 'health', prompt_contains: 'WEIGHT 77', nth: 2 },
    action: { type: 'status', code: 500 },
    times: 0,
  });
  await double.control.addFault({ match: { session_kind: 'schedule' }, action: { type: 'status', code: 503 } });
  const c = sdk('m');
  expect((await c.messages.create(params)).stop_reason).toBe('tool_use');
  for (let i = 0; i < 2; i += 1) expect(((await failure(c.messages.create(params))) as APIError).status).toBe(500);
  expect(await double.control.removeFault(id)).toBe(true);
  expect((await c.messages.create(params)).stop_reason).toBe('tool_use');
  const other = { ...params, messages: [{ role: 'user' as const, content: 'Heart rate 60 bpm' }] };
  expect((await c.messages.create(other)).stop_reason).toBe('tool_use');
});
