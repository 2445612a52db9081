import { expect, test } from '@playwright/test';
import { planCalls } from './tool-plan.ts';
import { respondToolUse } from './tool-use.ts';
import { gardenTools, tools } from '../testing/model-double-fixtures.ts';
import type { ContentBlock, MessageParam, MessagesRequest, ToolDefinition } from './types.ts';

const NOW = new Date('2031-05-20T15:30:00Z');
const plan = (prompt: string, offered = tools) => planCalls(prompt, offered, NOW).map((c) => [c.name, c.input]);

test('one clause, one call: tool by Kinds and intents, arguments from the schema', () => {
  expect(plan('Please record my temperature, 38.2 °C')).toEqual([
    ['measurement_log', { type: 'temperature', value: 38.2, unit: '°C' }],
  ]);
  expect(plan('Was prescribed amoxicillin 250mg every 8 hours')).toEqual([
    ['medication_add', { name: 'amoxicillin', dosage: '250mg', frequency: 'every 8 hours' }],
  ]);
  expect(plan('I feel nausea since lunch, about 3/10')).toEqual([['symptom_log', { name: 'nausea', severity: 3 }]]);
  // What no other argument took goes to the notes property.
  expect(plan('New contact: Henrik Larsen, met at the conference')).toEqual([['contact_add', { name: 'Henrik Larsen', notes: 'met at the conference' }]]);
});

test('a split is kept only when each side yields a complete call', () => {
  expect(plan('Heart rate 61 bpm; weight 90.4 lb')).toEqual([
    ['measurement_log', { type: 'heart_rate', value: 61, unit: 'bpm' }],
    ['measurement_log', { type: 'weight', value: 90.4, unit: 'lb' }],
  ]);
  // "severity" alone names no tool and no symptom: it stays with the clause before it.
  expect(plan('Woke up with a fever, severity 5')).toEqual([['symptom_log', { name: 'fever', severity: 5 }]]);
  // The reminder text keeps its "and": the right side alone is no call.
  expect(plan('Remind me to phone Aunt Mae and ask about the recipe tomorrow')).toEqual([
    ['reminder_set', { message: 'phone Aunt Mae and ask about the recipe', due_at: '2031-05-21T09:00:00.000Z', contact_name: 'Aunt Mae' }],
  ]);
});

test('no tool matches, or a required argument is missing: no call', () => {
  expect(plan('What a lovely afternoon')).toEqual([]);
  expect(plan('Log my weight please')).toEqual([]);
  expect(plan('Log my weight please', [])).toEqual([]);
});

test('phrase beats words; ties go to the first listed tool', () => {
  expect(plan('Send a message by telegram: dinner is at eight')).toEqual([
    ['notification_log', { channel: 'telegram', body: 'dinner is at eight' }],
  ]);
  const twins = [
    { ...tools[5], name: 'notify_primary' },
    { ...tools[5], name: 'notify_secondary' },
  ];
  expect(plan('Notify me by email that backups passed', twins).map((c) => c[0])).toEqual(['notify_primary']);
});

test('tools from another domain work the same way', () => {
  expect(plan('Watered the basil with 1.5 litres and harvested zucchini, 850 grams', gardenTools)).toEqual([
    ['watering_record', { plant: 'basil', litres: 1.5 }],
    ['harvest_log', { crop: 'zucchini', grams: 850 }],
  ]);
});

function turn(messages: MessageParam[], extra: Partial<MessagesRequest> = {}) {
  return respondToolUse({ model: 'm', max_tokens: 1024, messages, tools, ...extra }, NOW);
}

test('across turns: one tool_use per turn, recomputed from the messages, then a final text', () => {
  const first: MessageParam = { role: 'user', content: [{ type: 'text', text: 'Weight 82 kg, blood pressure 128/82 mmHg' }] };
  const t1 = turn([first]);
  expect(t1.stop_reason).toBe('tool_use');
  const call1 = t1.content[0];
  expect(call1).toMatchObject({ type: 'tool_use', name: 'measurement_log', input: { type: 'weight', value: 82 } });
  expect(String(call1.id)).toMatch(/^toolu_[0-9A-Za-z]{24}$/);
  const r1: ContentBlock = { type: 'tool_result', tool_use_id: String(call1.id), content: '{"id":"a1"}' };
  const t2 = turn([first, { role: 'assistant', content: t1.content }, { role: 'user', content: [r1] }]);
  expect(t2.content[0]).toMatchObject({ name: 'measurement_log', input: { type: 'blood_pressure', value: 128, unit: 'mmHg' } });
  expect(t2.content[0].id).not.toBe(call1.id);
  const r2: ContentBlock = {
    type: 'tool_result',
    tool_use_id: String(t2.content[0].id),
    is_error: true,
    content: [{ type: 'text', text: 'db_error: relation missing '.repeat(20) }],
  };
  const t3 = turn([
    first,
    { role: 'assistant', content: t1.content },
    { role: 'user', content: [r1] },
    { role: 'assistant', content: t2.content },
    { role: 'user', content: [r2] },
  ]);
  expect(t3.stop_reason).toBe('end_turn');
  const text = String(t3.content[0].text);
  expect(text).toContain('2 tool calls, 1 of which failed');
  expect(text).toContain('"type":"weight"');
  expect(text).toContain('returned {"id":"a1"}');
  expect(text).toMatch(/failed: db_error: relation missing .*…/);
  expect(text.length).toBeLessThan(600);
});

test('with no calls the answer says no action was needed', () => {
  const out = turn([{ role: 'user', content: 'Thanks, that is all for today' }]);
  expect(out.stop_reason).toBe('end_turn');
  expect(String(out.content[0].text)).toMatch(/^No action was needed/);
});

test('tool_choice: "tool" forces that tool once, "none" forbids calls', () => {
  const forced = turn([{ role: 'user', content: 'hello there' }], { tool_choice: { type: 'tool', name: 'state_set' } });
  expect(forced.content[0]).toMatchObject({ type: 'tool_use', name: 'state_set' });
  const none = turn([{ role: 'user', content: 'Weight 82 kg' }], { tool_choice: { type: 'none' } });
  expect(none.stop_reason).toBe('end_turn');
});

test('identifiers are copied, never invented; among tied tools the first that can be filled is called', () => {
  const chat = {
    name: 'chat_send',
    description: 'Posts to a chat. Use when: send a chat message.',
    input_schema: {
      type: 'object',
      properties: { chat_id: { type: 'string', description: 'the chat id' }, text: { type: 'string' } },
      required: ['chat_id', 'text'],
    },
  };
  const offered = [chat, tools[5]];
  expect(plan('Send a message by email: the laundry is done', offered)).toEqual([
    ['notification_log', { channel: 'email', body: 'laundry is done' }],
  ]);
  expect(plan('Send a chat message to id 4411: laundry is done', offered)[0]).toEqual([
    'chat_send',
    { chat_id: '4411', text: 'laundry is done' },
  ]);
  const withAddress = plan('Notify me by email at ops@example.org that the disk is full', [tools[5]]);
  expect(withAddress).toEqual([['notification_log', { channel: 'email', body: 'disk is full', recipient: 'ops@example.org' }]]);
});

test('a clause that only points back ("keep this") joins the clause with the content: one call, filled from it', () => {
  const notebook: ToolDefinition[] = [
    {
      name: 'notebook_keep',
      description: 'Keep a fact in the notebook under a key.\nUse when:\n- the user asks you to keep or note something',
      input_schema: {
        type: 'object',
        properties: {
          key: { type: 'string', description: 'A short snake_case name for the subject' },
          value: { description: 'The fact to keep: any JSON value' },
        },
        required: ['key', 'value'],
      },
    },
  ];
  expect(plan('Note that my locker code is 4471. Keep this in the notebook.', notebook)).toEqual([
    ['notebook_keep', { key: 'locker_code', value: 4471 }],
  ]);
  // Two clauses with content of their own still make two calls.
  expect(plan('Note that my locker code is 4471. Keep that my bike colour is red.', notebook)).toHaveLength(2);
});

test('a question is answered by a tool that reads, not by one that changes, when both match it equally', () => {
  const memo: ToolDefinition[] = [
    {
      name: 'memo_put',
      description: 'Store a memo under a key.\nUse when:\n- the user wants a budget limit kept',
      input_schema: { type: 'object', properties: { key: { type: 'string', description: 'A short snake_case name for the subject' }, value: { description: 'Any JSON value' } }, required: ['key', 'value'] },
    },
    {
      name: 'memo_read',
      description: 'Read one memo by its key.\nUse when:\n- the user needs the budget limit',
      input_schema: { type: 'object', properties: { key: { type: 'string', description: 'A short snake_case name for the subject' } }, required: ['key'] },
    },
  ];
  expect(plan('What is my budget limit?', memo)).toEqual([['memo_read', { key: 'budget_limit' }]]);
  expect(plan('My budget limit is 300', memo)).toEqual([['memo_put', { key: 'budget_limit', value: 300 }]]);
});

test('a quoted name is passed verbatim, with whatever follows the capitalised words inside the quotes', () => {
  const roster: ToolDefinition[] = [
    {
      name: 'member_remove',
      description: 'Remove a club member by name.\nUse when: remove a member, delete a member',
      input_schema: { type: 'object', properties: { name: { type: 'string', description: "The member's full name as stored" } }, required: ['name'] },
    },
  ];
  expect(plan("Delete the member named 'Ada Byron x-41b'", roster)).toEqual([['member_remove', { name: 'Ada Byron x-41b' }]]);
  expect(plan('Remove member Ada Byron from the club', roster)).toEqual([['member_remove', { name: 'Ada Byron' }]]);
  // The capitalised words end the quote: the closing quote is no part of the name.
  expect(plan("Delete the member named 'x-41b Ada Byron'", roster)).toEqual([['member_remove', { name: 'x-41b Ada Byron' }]]);
});
