import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, modelActivity } from './gate.ts';

const SMOKE = path.dirname(fileURLToPath(import.meta.url));

// Each smoke test is guarded by gate.ts (it fails when a model was called while
// it ran); this test checks the guard covers every smoke file and adds the
// cumulative view of the worker so far. Neither depends on the order files run in.
test('SMK-09 the smoke project makes no model call: every smoke test is guarded, and nothing called a model so far', async ({ ecosystem }) => {
  const unguarded = readdirSync(SMOKE)
    .filter((f) => f.endsWith('.spec.ts'))
    .filter((f) => !/from '\.\/gate\.ts'/.test(readFileSync(path.join(SMOKE, f), 'utf8')));
  expect(unguarded, 'smoke spec files that do not take `test` from ./gate.ts').toEqual([]);
  const activity = await modelActivity(ecosystem, ecosystem.attachedAt);
  if (ecosystem.double) expect(ecosystem.double.requests(), 'model double request log').toEqual([]);
  expect(activity.sessions, 'session rows created since this worker attached').toEqual({});
});
