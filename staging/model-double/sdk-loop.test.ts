import Anthropic from '@anthropic-ai/sdk';
import { expect, test } from '@playwright/test';
import { type ModelDoubleHandle, startModelDouble } from './server.ts';
import { registry, tools } from '../testing/model-double-fixtures.ts';

const KEY = 'sk-fake-sdk';
let double: ModelDoubleHandle;

test.beforeAll(async () => {
  double = await startModelDouble({ apiKey: KEY });
});
test.afterAll(async () => {
  await double.close();
});

const client = (headers: Record<string, string> = {}) =>
  new Anthropic({ apiKey: KEY, baseURL: double.url, maxRetries: 0, defaultHeaders: headers });

/** A fake tool executor standing in for the butler's MCP server. */
function execute(name: string, input: unknown): string {
  return JSON.stringify({ id: `row-${name}`, stored: input });
}

test('the real SDK runs a full tool loop against the double: tool_use → tool_result → final text', async () => {
  const sdk = client({ 'x-butlers-butler': 'health', 'x-butlers-session-id': 'sess-loop', 'x-butlers-tag': 'loop-tag' });
  const messages: Anthropic.MessageParam[] = [
    { role: 'user', content: 'Started on lisinopril 10mg once daily and my heart rate was 66 bpm' },
  ];
  const called: string[] = [];
  let final: Anthropic.Message | null = null;
  for (let turn = 0; turn < 6 && !final; turn += 1) {
    const res = await sdk.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 1024,
      messages,
      tools: tools as Anthropic.Tool[],
    });
    if (res.stop_reason !== 'tool_use') {
      final = res;
      break;
    }
    const uses = res.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(uses).toHaveLength(1);
    messages.push({ role: 'assistant', content: res.content });
    messages.push({
      role: 'user',
      content: uses.map((u) => {
        called.push(u.name);
        return { type: 'tool_result' as const, tool_use_id: u.id, content: execute(u.name, u.input) };
      }),
    });
  }
  expect(called).toEqual(['medication_add', 'measurement_log']);
  expect(final?.stop_reason).toBe('end_turn');
  const text = final?.content[0].type === 'text' ? final.content[0].text : '';
  expect(text).toContain('medication_add {"name":"lisinopril","dosage":"10mg","frequency":"once daily"}');
  expect(text).toContain('row-measurement_log');
  const log = await double.control.requests({ session_id: 'sess-loop' });
  expect(log.map((r) => r.summary)).toEqual(['tool_use medication_add', 'tool_use measurement_log', expect.stringMatching(/^text: /)]);
  expect(log.every((r) => r.butler === 'health' && r.tag === 'loop-tag' && r.status === 200)).toBe(true);
  expect(log.map((r) => r.message_count)).toEqual([1, 3, 5]);
});

test('a classification request through the SDK returns the JSON array as text', async () => {
  const res = await client().messages.create({
    model: 'claude-haiku-4-5',
    max_tokens: 2048,
    system: 'Route the message. Answer with a JSON array only.',
    messages: [
      {
        role: 'user',
        content: `<registry>\n${JSON.stringify(registry)}\n</registry>\n\n<message>\nMr. Osei sent flowers, so thank him with a card. Also my blood pressure was high.\n</message>`,
      },
    ],
  });
  const block = res.content[0];
  expect(block.type).toBe('text');
  const entries = JSON.parse(block.type === 'text' ? block.text : '[]') as Array<{ butler: string; prompt: string }>;
  expect(entries.map((e) => e.butler)).toEqual(['relationship', 'health']);
  // The clause already names Mr. Osei before "him", so it stands alone and keeps its pronoun.
  expect(entries[0].prompt).toBe('Mr. Osei sent flowers, so thank him with a card.');
  const [logged] = await double.control.requests({ since: Date.now() - 60_000 }).then((r) => r.filter((x) => x.kind === 'classification'));
  expect(logged.summary).toBe('classification → relationship, health');
});

test('attribution headers never change the answer (the policy reads the body only)', async () => {
  const params = {
    model: 'claude-haiku-4-5',
    max_tokens: 256,
    messages: [{ role: 'user' as const, content: 'Add Ingrid Bauer as a contact' }],
    tools: tools as Anthropic.Tool[],
  };
  const plain = await client().messages.create(params);
  const tagged = await client({
    'x-butlers-butler': 'relationship',
    'x-butlers-session-kind': 'route',
    'x-butlers-session-id': 's-attr',
    'x-butlers-tag': 't-attr',
  }).messages.create(params);
  expect(JSON.stringify(tagged)).toBe(JSON.stringify(plain));
  expect(plain.content[0]).toMatchObject({ type: 'tool_use', name: 'contact_add', input: { name: 'Ingrid Bauer' } });
});
