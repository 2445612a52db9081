import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { Pool } from 'pg';
import { pino } from 'pino';
import { buildSystemPrompt } from './system-prompt.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'system-prompt-'));
const file = path.join(dir, 'CLAUDE.md');
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines: Array<Record<string, unknown>> = [];
const log = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
const fakeDb = (query: () => Promise<unknown>) => ({ query }) as unknown as Pool;

test('CLAUDE.md is read afresh for every session', async () => {
  const db = fakeDb(async () => ({ rows: [] }));
  writeFileSync(file, 'You are health.\n');
  expect(await buildSystemPrompt({ claudeMdPath: file, db, log, prompt: 'p', memoryActive: false })).toBe('You are health.\n');
  writeFileSync(file, 'You are health, edited.\n');
  expect(await buildSystemPrompt({ claudeMdPath: file, db, log, prompt: 'p', memoryActive: false })).toBe('You are health, edited.\n');
  await expect(buildSystemPrompt({ claudeMdPath: path.join(dir, 'missing.md'), db, log, prompt: 'p', memoryActive: false })).rejects.toThrow(/missing\.md/);
});

test('with memory active the closest memories are appended; a recall failure only drops them', async () => {
  writeFileSync(file, 'You are health.\n');
  const recalled = fakeDb(async () => ({ rows: [{ id: '1', content: 'Owner is allergic to penicillin', kind: 'fact', tags: [], session_id: null, created_at: '', score: 0.9 }] }));
  const text = await buildSystemPrompt({ claudeMdPath: file, db: recalled, log, prompt: 'medication', memoryActive: true });
  expect(text).toContain('You are health.');
  expect(text).toContain('## Recalled memories');
  expect(text).toContain('- Owner is allergic to penicillin (fact)');

  const broken = fakeDb(async () => {
    throw new Error('relation "memories" does not exist');
  });
  expect(await buildSystemPrompt({ claudeMdPath: file, db: broken, log, prompt: 'x', memoryActive: true })).toBe('You are health.\n');
  expect(lines.find((l) => l.event === 'spawner.memory_recall_failed')).toMatchObject({ level: 40 });
});
