import { expect, test } from '@playwright/test';
import { clauseState } from './clause-state.ts';
import { extractArgs } from './extract-args.ts';
import { findNames } from './names.ts';
import type { JsonSchema } from './types.ts';

const NOW = new Date('2031-05-20T15:30:00Z');

function fill(text: string, schema: JsonSchema, intentEnd: number | null = null) {
  return extractArgs(schema, clauseState(text, findNames(text), intentEnd, NOW));
}

const obj = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  required,
});

test('enum: the value whose words appear in the clause', () => {
  const schema = obj({ channel: { type: 'string', enum: ['sms', 'push_alert', 'email'] } }, ['channel']);
  expect(fill('Send a push alert about the door', schema).input).toEqual({ channel: 'push_alert' });
  expect(fill('Send it somehow', schema).complete).toBe(false);
});

test('examples: first example found, snake_cased; unit token after the last used number', () => {
  const schema = obj(
    {
      kind: { type: 'string', examples: ['body_fat', 'resting pulse', 'glucose'] },
      reading: { type: 'number' },
      unit: { type: 'string', description: 'unit', examples: ['%', 'bpm', 'mmol/L'] },
    },
    ['kind', 'reading'],
  );
  const r = fill('Resting pulse this morning: 58 bpm', schema);
  expect(r.input).toEqual({ kind: 'resting_pulse', reading: 58, unit: 'bpm' });
  const bp = fill('pressure 121/79 mmhg', obj({ v: { type: 'number' }, w: { type: 'number' }, unit: { type: 'string', examples: ['mmHg'] } }));
  expect(bp.input).toEqual({ v: 121, w: 79, unit: 'mmHg' });
});

test('numbers: next unused number; 0–10 scales prefer "N out of 10" and the number after the property name', () => {
  const scale = obj({ first: { type: 'integer' }, intensity: { type: 'integer', minimum: 0, maximum: 10 } }, ['intensity']);
  expect(fill('Since 3 days, rated 6 out of 10', scale).input).toEqual({ first: 3, intensity: 6 });
  expect(fill('Back ache, intensity 8 after 2 hours', scale).input).toEqual({ first: 2, intensity: 8 });
  const bounded = obj({ n: { type: 'integer', minimum: 0, maximum: 10 } }, ['n']);
  expect(fill('walked 25 minutes', bounded).complete).toBe(false);
});

test('dates: ISO timestamps win, else today/tomorrow at 09:00 UTC; optional dates only when written', () => {
  const schema = obj({ when: { type: 'string', format: 'date-time' } }, ['when']);
  expect(fill('Book it for 2031-06-01T14:00:00Z', schema).input).toEqual({ when: '2031-06-01T14:00:00.000Z' });
  expect(fill('Call the plumber tomorrow', schema).input).toEqual({ when: '2031-05-21T09:00:00.000Z' });
  expect(fill('Call the plumber', schema).input).toEqual({ when: '2031-05-20T09:00:00.000Z' });
  expect(fill('Call the plumber tomorrow at 4pm', schema).input).toEqual({ when: '2031-05-21T16:00:00.000Z' });
  const optional = obj({ when: { type: 'string', format: 'date' } });
  expect(fill('Call the plumber', optional).input).toEqual({});
  expect(fill('Called the plumber yesterday', optional).input).toEqual({ when: '2031-05-19' });
});

test('people: the longest capitalised run not at sentence start, titles kept, or a quoted string', () => {
  const schema = obj({ who: { type: 'string', description: 'the person to file it under' } }, ['who']);
  expect(fill('File this under Prof. Ana Ruiz', schema).input).toEqual({ who: 'Prof. Ana Ruiz' });
  expect(fill('file it for "the twins"', schema).input).toEqual({ who: 'the twins' });
  expect(fill('Noon meeting with Li and Jean-Paul Sartre', schema).input).toEqual({ who: 'Jean-Paul Sartre' });
});

test('doses and frequencies: number with unit, frequency phrases', () => {
  const schema = obj({
    compound: { type: 'string', description: 'name of the supplement' },
    amount: { type: 'string', description: 'the dose' },
    schedule: { type: 'string', description: 'how often' },
  }, ['compound']);
  const r = fill('Began vitamin D 1000 IU once a day', schema, 5);
  expect(r.input).toEqual({ compound: 'vitamin D', amount: '1000IU', schedule: 'once a day' });
});

test('keys: words after "my"/"the" up to " is ", snake_cased; any JSON value after " is "', () => {
  const schema = obj({ key: { type: 'string', description: 'a short snake_case name for the subject' }, value: {} }, ['key', 'value']);
  expect(fill('Keep in mind that my gym locker number is 317', schema, 4).input).toEqual({ key: 'gym_locker_number', value: 317 });
  expect(fill('note that the spare key is under the mat', schema).input).toEqual({ key: 'spare_key', value: 'under the mat' });
  expect(fill('save that my flags are {"dark":true}', schema).input).toEqual({ key: 'flags', value: { dark: true } });
});

test('any other string: quoted, else the words after the intent, else the clause', () => {
  const schema = obj({ text: { type: 'string' } }, ['text']);
  expect(fill('Jot down "buy stamps" please', schema).input).toEqual({ text: 'buy stamps' });
  expect(fill('Jot down to buy stamps', schema, 8).input).toEqual({ text: 'buy stamps' });
  expect(fill('buy stamps', schema).input).toEqual({ text: 'buy stamps' });
});

test('optional free-text properties stay empty; a required one that cannot be filled marks the call incomplete', () => {
  const schema = obj({ title: { type: 'string' }, notes: { type: 'string' }, size: { type: 'number' } }, ['size']);
  const r = fill('Make it large', schema);
  expect(r.complete).toBe(false);
  expect(r.missing).toEqual(['size']);
  expect(r.input.notes).toBeUndefined();
});
