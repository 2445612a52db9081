import { expect, test } from '@playwright/test';
import { classify } from './classify.ts';
import { decide } from './policy.ts';
import { splitSentences } from './sentences.ts';
import { gardenRegistry, registry } from '../testing/model-double-fixtures.ts';
import type { MessagesRequest } from './types.ts';

const butlers = (message: string, reg = registry) => classify({ registry: reg, message }).map((e) => e.butler);

function classificationRequest(message: string, reg = registry): MessagesRequest {
  return {
    model: 'm',
    max_tokens: 2048,
    system: 'You route messages. Reply with a JSON array of {butler, prompt, segment}. The registry comes in <registry> tags.',
    messages: [{ role: 'user', content: `<registry>\n${JSON.stringify(reg)}\n</registry>\n<message>\n${message}\n</message>` }],
  };
}

test('sentence splitting keeps titles and e.g. inside a sentence', () => {
  const s = splitSentences('Met Mrs. Patel at the clinic, e.g. for bloodwork. Then Dr. Okafor phoned! Fine?');
  expect(s.map((x) => x.text)).toEqual([
    'Met Mrs. Patel at the clinic, e.g. for bloodwork.',
    'Then Dr. Okafor phoned!',
    'Fine?',
  ]);
});

test('a single-domain message goes to the butler whose vocabulary it uses', () => {
  expect(butlers('Please note my weight, 71 kg this morning')).toEqual(['health']);
  expect(butlers('My sister has a birthday on Friday')).toEqual(['relationship']);
  expect(butlers('Ping me on Telegram when the build finishes')).toEqual(['messenger']);
});

test('a message matching no vocabulary goes to the catch-all entry', () => {
  const [entry] = classify({ registry, message: 'Who painted the ceiling of the Sistine Chapel?' });
  expect(entry.butler).toBe('general');
  expect(entry.segment.rationale).toContain('fallback');
});

test('morphology matches: plural, -ing and -ed forms meet the capability stems', () => {
  expect(butlers('I weighed myself after the run')).toEqual(['health']);
  expect(butlers('Gifting something nice to the neighbours')).toEqual(['relationship']);
});

test('a multi-domain message is split into self-contained prompts, "Dr." does not end a sentence', () => {
  const message = 'Dr. Alvarez changed my dose to 20 mg yesterday. Get her a card from the whole family.';
  const entries = classify({ registry, message });
  expect(entries.map((e) => e.butler)).toEqual(['health', 'relationship']);
  expect(entries[0].prompt).toBe('Dr. Alvarez changed my dose to 20 mg yesterday.');
  expect(entries[1].prompt).toBe('Get Dr. Alvarez a card from the whole family.');
  expect(entries[1].segment.offsets).toEqual({ start: 48, end: message.length });
  expect(entries[1].segment.sentence_spans).toEqual([[48, message.length]]);
  expect(entries[0].segment.rationale).toMatch(/dose/);
});

test('a sentence is split at "and" only when the sides belong to different butlers', () => {
  const split = classify({ registry, message: 'My knee pain is back and my nephew Tom needs a birthday gift' });
  expect(split.map((e) => e.butler)).toEqual(['health', 'relationship']);
  expect(split[0].prompt).toBe('My knee pain is back');
  expect(split[1].prompt).toBe('My nephew Tom needs a birthday gift');
  const kept = classify({ registry, message: 'The headache started at noon and the pain got worse' });
  expect(kept).toHaveLength(1);
  expect(kept[0].prompt).toBe('The headache started at noon and the pain got worse');
});

test('pronouns take the most recent proper name, possessives keep their "s', () => {
  const entries = classify({
    registry,
    message: 'Lunch with Priya Raman went well. Remember his birthday too; she said to notify me by email.',
  });
  const rel = entries.find((e) => e.butler === 'relationship');
  expect(rel?.prompt).toContain("Priya Raman's birthday");
  const msg = entries.find((e) => e.butler === 'messenger');
  expect(msg?.prompt).toBe('Priya Raman said to notify me by email.');
});

test('adjacent clauses for the same butler merge into one entry', () => {
  const entries = classify({ registry, message: 'Blood pressure was 130/85. Heart rate 70. Also a mild headache.' });
  expect(entries).toHaveLength(1);
  expect(entries[0].butler).toBe('health');
  expect(entries[0].segment.sentence_spans).toHaveLength(3);
});

test('ties go to the alphabetically first butler', () => {
  // "email" (messenger) and "friends" (relationship) score one point each.
  expect(butlers('email friends')).toEqual(['messenger']);
});

test('a registry from another domain routes by its own vocabulary', () => {
  expect(butlers('The tomatoes in the raised bed need watering', gardenRegistry)).toEqual(['garden']);
  expect(butlers('Add flour to the pantry list and harvest the beans', gardenRegistry)).toEqual(['kitchen', 'garden']);
  expect(butlers('What time is it in Lisbon?', gardenRegistry)).toEqual(['misc']);
});

test('decide() answers a classification request with the JSON array only', () => {
  const out = decide(classificationRequest('Schedule a doctor appointment for Thursday'), new Date(0));
  expect(out.kind).toBe('classification');
  expect(out.content).toHaveLength(1);
  const parsed = JSON.parse(String(out.content[0].text)) as Array<Record<string, unknown>>;
  expect(parsed.map((e) => e.butler)).toEqual(['health']);
  expect(Object.keys(parsed[0]).sort()).toEqual(['butler', 'prompt', 'segment']);
});

test('a registry block that mentions the tags in its instructions still finds the data', () => {
  const req = classificationRequest('Compost the seedlings', gardenRegistry);
  req.system = 'The registry appears between <registry> and </registry>; the text between <message> and </message>.';
  const out = decide(req, new Date(0));
  expect(JSON.parse(String(out.content[0].text))[0].butler).toBe('garden');
});
