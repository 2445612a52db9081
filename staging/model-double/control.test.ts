import { expect, test } from '@playwright/test';
import { createControlClient } from './control-client.ts';
import { type ModelDoubleHandle, startModelDouble } from './server.ts';
import { tools } from '../testing/model-double-fixtures.ts';

// Response bodies are inspected field by field; their shape is what the test asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (res: Response): Promise<any> => res.json();

const KEY = 'sk-fake-control';
let double: ModelDoubleHandle;

test.beforeAll(async () => {
  double = await startModelDouble({ apiKey: KEY });
});
test.afterAll(async () => {
  await double.close();
});

function ask(text: string, who: { butler?: string; session?: string; tag?: string; kind?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-api-key': KEY };
  if (who.butler) headers['x-butlers-butler'] = who.butler;
  if (who.session) headers['x-butlers-session-id'] = who.session;
  if (who.tag) headers['x-butlers-tag'] = who.tag;
  if (who.kind) headers['x-butlers-session-kind'] = who.kind;
  return fetch(`${double.url}/v1/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'claude-x', max_tokens: 300, system: 'Be brief.', messages: [{ role: 'user', content: text }], tools }),
  });
}

test('request log filters by butler, tag, session_id and since', async () => {
  const ctl = createControlClient(double.url);
  await ask('Weight 64 kg', { butler: 'health', session: 's1', tag: 'filter-a', kind: 'route' });
  const mark = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  await ask('Add Oskar Nyberg as a contact', { butler: 'relationship', session: 's2', tag: 'filter-a' });
  await ask('Nothing to see', { butler: 'relationship', session: 's3', tag: 'filter-b' });
  expect((await ctl.requests({ tag: 'filter-a' })).map((r) => r.session_id)).toEqual(['s1', 's2']);
  expect((await ctl.requests({ butler: 'relationship' })).map((r) => r.session_id)).toEqual(['s2', 's3']);
  expect((await ctl.requests({ session_id: 's3' }))[0]).toMatchObject({ tag: 'filter-b', kind: 'tool_use', status: 200 });
  expect((await ctl.requests({ since: mark })).map((r) => r.session_id)).toEqual(['s2', 's3']);
  const row = (await ctl.requests({ session_id: 's1' }))[0];
  expect(row).toMatchObject({
    butler: 'health',
    session_kind: 'route',
    model: 'claude-x',
    message_count: 1,
    summary: 'tool_use measurement_log',
    held: false,
    fault_id: null,
  });
  expect(row.tools).toEqual(tools.map((t) => t.name));
  expect(row.duration_ms).toBeGreaterThanOrEqual(0);
  expect(double.requests().length).toBeGreaterThanOrEqual(3);
});

test('GET /requests/:id returns what the model was shown and answered, never the key', async () => {
  await ask('Add Oskar Nyberg as a contact', { session: 'detail' });
  const [row] = await double.control.requests({ session_id: 'detail' });
  const res = await fetch(`${double.url}/__control/requests/${row.id}`);
  const text = await res.text();
  expect(text).not.toContain(KEY);
  const detail = JSON.parse(text);
  expect(detail.request.system).toBe('Be brief.');
  expect(detail.request.messages[0].content).toBe('Add Oskar Nyberg as a contact');
  expect(detail.request.tools).toHaveLength(tools.length);
  expect(detail.response.status).toBe(200);
  expect(detail.response.body.content[0]).toMatchObject({ name: 'contact_add', input: { name: 'Oskar Nyberg' } });
  expect(await createControlClient(double.url).request('req_999999')).toBeNull();
});

test('the HTTP client drives faults and holds like the in-process control', async () => {
  const ctl = createControlClient(`${double.url}/`);
  const { id } = await ctl.addFault({ match: { tag: 'http-hold' }, action: 'hold' });
  expect(id).toMatch(/^fault_\d+$/);
  const pending = ask('Weight 64 kg', { tag: 'http-hold' });
  const held = await ctl.waitForHeld({ tag: 'http-hold' });
  expect(held.fault_id).toBe(id);
  expect(await ctl.release(held.id)).toBe(true);
  expect((await pending).status).toBe(200);
  expect(await ctl.release(held.id)).toBe(false);
  await expect(ctl.waitForHeld({ tag: 'nobody' }, 100)).rejects.toThrow(/no held request .* within 100 ms/);

  const second = await ctl.addFault({ match: { tag: 'http-x' }, action: { type: 'status', code: 500 }, times: 0 });
  expect(await ctl.removeFault(second.id)).toBe(true);
  expect(await ctl.removeFault(second.id)).toBe(false);
  await ctl.addFault({ match: { tag: 'http-y' }, action: { type: 'status', code: 500 } });
  await ctl.clearFaults();
  expect((await ask('Weight 64 kg', { tag: 'http-y' })).status).toBe(200);
});

test('a bad fault spec is rejected naming the field and showing a valid example', async () => {
  const res = await fetch(`${double.url}/__control/faults`, {
    method: 'POST',
    body: JSON.stringify({ match: { butlr: 'x' }, action: { type: 'status', code: 200 } }),
  });
  expect(res.status).toBe(400);
  const message = (await json(res)).error.message as string;
  expect(message).toMatch(/action\.code/);
  expect(message).toMatch(/butlr/);
  expect(message).toMatch(/expected e\.g\./);
  await expect(createControlClient(double.url).addFault({ action: { type: 'delay', ms: -1 } })).rejects.toThrow(/action\.ms/);
  expect((await fetch(`${double.url}/__control/nope`)).status).toBe(404);
  expect((await fetch(`${double.url}/__control/requests?since=yesterday-ish`)).status).toBe(400);
});
