import { expect, test } from '@playwright/test';
import { type ModelDoubleHandle, startModelDouble } from './server.ts';
import { registry, tools } from '../testing/model-double-fixtures.ts';

// Response bodies are inspected field by field; their shape is what the test asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (res: Response): Promise<any> => res.json();

const KEY = 'sk-fake-unit';
let double: ModelDoubleHandle;

test.beforeAll(async () => {
  double = await startModelDouble({ apiKey: KEY });
});
test.afterAll(async () => {
  await double.close();
});

function post(body: unknown, headers: Record<string, string> = { 'x-api-key': KEY }) {
  return fetch(`${double.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const toolRequest = {
  model: 'claude-test-1',
  max_tokens: 512,
  system: [{ type: 'text', text: 'You are a butler.' }],
  messages: [{ role: 'user', content: 'Blood pressure 119/77 mmHg after the walk' }],
  tools,
};

test('binds 127.0.0.1 on an ephemeral port and refuses a missing key', async () => {
  expect(double.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  await expect(startModelDouble({ apiKey: '' })).rejects.toThrow(/apiKey must be a non-empty string/);
});

test('INF-14: the same request gets a byte-identical response', async () => {
  const a = await (await post(toolRequest)).text();
  const b = await (await post(toolRequest)).text();
  expect(a).toBe(b);
  const parsed = JSON.parse(a);
  expect(parsed).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-test-1', stop_reason: 'tool_use' });
  expect(parsed.id).toMatch(/^msg_[0-9A-Za-z]{24}$/);
  const other = JSON.parse(await (await post({ ...toolRequest, messages: [{ role: 'user', content: 'Weight 70 kg' }] })).text());
  expect(other.id).not.toBe(parsed.id);
  const classification = {
    model: 'claude-test-1',
    max_tokens: 512,
    messages: [{ role: 'user', content: `<registry>${JSON.stringify(registry)}</registry><message>Notify me about the gift</message>` }],
  };
  expect(await (await post(classification)).text()).toBe(await (await post(classification)).text());
});

test('a wrong or missing key gets 401 authentication_error; Bearer is accepted too', async () => {
  for (const headers of [{ 'x-api-key': 'nope' }, {}, { authorization: 'Bearer nope' }] as Array<Record<string, string>>) {
    const res = await post(toolRequest, headers);
    expect(res.status).toBe(401);
    const body = await json(res);
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('authentication_error');
    expect(JSON.stringify(body)).not.toContain(KEY);
  }
  expect((await post(toolRequest, { authorization: `Bearer ${KEY}` })).status).toBe(200);
});

test('stream: true is refused with 400 invalid_request_error naming streaming', async () => {
  const res = await post({ ...toolRequest, stream: true });
  expect(res.status).toBe(400);
  const body = await json(res);
  expect(body.error.type).toBe('invalid_request_error');
  expect(body.error.message).toMatch(/streaming is not served/);
});

test('invalid bodies name the field; unknown routes are 404', async () => {
  const cases: Array<[unknown, RegExp]> = [
    ['{not json', /not valid JSON/],
    [{ ...toolRequest, model: undefined }, /^model: field required/],
    [{ ...toolRequest, max_tokens: 0 }, /^max_tokens/],
    [{ ...toolRequest, messages: [] }, /^messages: field required/],
    [{ ...toolRequest, messages: [{ role: 'system', content: 'x' }] }, /^messages\.0\.role/],
    [{ ...toolRequest, tool_choice: { type: 'tool' } }, /^tool_choice\.name/],
  ];
  for (const [body, message] of cases) {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toMatch(message);
  }
  const res = await fetch(`${double.url}/v1/complete`, { method: 'POST', headers: { 'x-api-key': KEY } });
  expect(res.status).toBe(404);
  expect((await json(res)).error.type).toBe('not_found_error');
});

test('usage is ⌈chars/4⌉ of request and response; an answer over max_tokens stops with max_tokens', async () => {
  const body = await json(await post(toolRequest));
  const requestChars = JSON.stringify([toolRequest.system, toolRequest.messages, toolRequest.tools]).length;
  expect(body.usage.input_tokens).toBe(Math.ceil(requestChars / 4));
  const call = body.content[0];
  expect(body.usage.output_tokens).toBe(Math.ceil((call.name.length + JSON.stringify(call.input).length) / 4));
  const tiny = await json(await post({ ...toolRequest, max_tokens: 3 }));
  expect(tiny.stop_reason).toBe('max_tokens');
  expect(tiny.content[0].type).toBe('text');
  expect(tiny.content[0].text.length).toBeLessThanOrEqual(12);
});

test('close() twice is harmless and frees the port', async () => {
  const d = await startModelDouble({ apiKey: KEY });
  await d.close();
  await d.close();
  await expect(fetch(`${d.url}/v1/messages`, { method: 'POST' })).rejects.toThrow();
});
