import { expect, test } from '@playwright/test';
import { buildFanoutPlan } from '../../contracts/build-fanout-plan.ts';
import type { FanoutPlan, SubrequestOutcome } from '../../contracts/fanout-plan.ts';
import { aggregate, NO_RESPONSES, synthesisPrompt } from './lib/aggregate.ts';
import { classificationPrompt } from './lib/classify-prompt.ts';

function plan(butlers: string[], overrides?: Record<string, object>): FanoutPlan {
  const built = buildFanoutPlan(butlers.map((b) => ({ butler: b, prompt: `p ${b}`, segment: {} })), {}, overrides);
  if (!built.ok) throw new Error(built.message);
  return built.plan;
}

const ok = (n: number, butler: string, output: string): SubrequestOutcome => ({ subrequest_id: `sr-${n}`, butler, status: 'success', output, error: null, duration_ms: 1 });
const bad = (n: number, butler: string, error: string): SubrequestOutcome => ({ subrequest_id: `sr-${n}`, butler, status: 'target_unavailable', output: null, error, duration_ms: 1 });

test('no outcomes, one outcome, one failure', async () => {
  expect(await aggregate(plan(['health']), [])).toEqual({ text: NO_RESPONSES, method: 'none', conflicts: [] });
  expect(NO_RESPONSES).toBe('No butler responses were received.');
  const skipped: SubrequestOutcome = { ...ok(1, 'health', 'x'), status: 'skipped', output: null };
  expect((await aggregate(plan(['health']), [skipped])).method).toBe('none');
  expect(await aggregate(plan(['health']), [ok(1, 'health', 'Logged 80 kg.')])).toEqual({ text: 'Logged 80 kg.', method: 'single', conflicts: [] });
  const down = await aggregate(plan(['health']), [bad(1, 'health', 'target_unavailable')]);
  expect(down).toMatchObject({ method: 'single', text: 'The health butler was unavailable (target_unavailable).' });
});

test('several outcomes are concatenated in plan order with unavailable markers, or synthesised', async () => {
  const p = plan(['relationship', 'health']);
  const outs = [ok(1, 'relationship', 'Card noted.'), bad(2, 'health', 'timeout')];
  expect(await aggregate(p, outs)).toEqual({ text: '[relationship] Card noted.\n\n[health] (unavailable: timeout)', method: 'concatenation', conflicts: [] });
  const prompts: string[] = [];
  const synth = await aggregate(p, outs, async (prompt) => (prompts.push(prompt), 'All done, health was down.'));
  expect(synth).toEqual({ text: 'All done, health was down.', method: 'synthesis', conflicts: [] });
  expect(prompts[0]).toContain('relationship replied:\nCard noted.');
  expect(prompts[0]).toContain('health was unavailable (timeout).');
  expect(await aggregate(p, outs, async () => null)).toMatchObject({ method: 'concatenation' });
  expect(await aggregate(p, outs, async () => Promise.reject(new Error('boom')))).toMatchObject({ method: 'concatenation' });
});

test('arbitration: highest priority wins, ties go to the alphabetically first butler; losers become conflicts', async () => {
  const p = plan(['messenger', 'general', 'health', 'relationship'], {
    0: { arbitration_group: 'reply', arbitration_priority: 1 },
    1: { arbitration_group: 'reply', arbitration_priority: 1 },
    2: { arbitration_group: 'reply', arbitration_priority: 0 },
  });
  const outs = [ok(1, 'messenger', 'M'), ok(2, 'general', 'G'), ok(3, 'health', 'H'), ok(4, 'relationship', 'R')];
  const agg = await aggregate(p, outs);
  expect(agg.text).toBe('[general] G\n\n[relationship] R');
  expect(agg.conflicts).toEqual([
    { arbitration_group: 'reply', subrequest_id: 'sr-1', butler: 'messenger', winner_subrequest_id: 'sr-2', winner_butler: 'general' },
    { arbitration_group: 'reply', subrequest_id: 'sr-3', butler: 'health', winner_subrequest_id: 'sr-2', winner_butler: 'general' },
  ]);
  // A failed member does not take part in arbitration.
  const withFailure = await aggregate(p, [bad(1, 'messenger', 'timeout'), ok(2, 'general', 'G')]);
  expect(withFailure).toMatchObject({ text: '[messenger] (unavailable: timeout)\n\n[general] G', conflicts: [] });
  expect(synthesisPrompt([ok(1, 'a', 'x')])).toMatch(/^Several of the owner's butlers/);
});

test('the classification prompt lists the registry, the hints and the message in tags', () => {
  const prompt = classificationPrompt(
    [{ name: 'health', description: 'Health log.', capabilities: ['weight'] }, { name: 'general', description: 'Everything else.', capabilities: [] }],
    'Log my weight: 80kg',
    { preferred_butlers: ['health', 'ghost'], exclude_butlers: ['messenger'] },
  );
  const registry = /<registry>\n([\s\S]*?)\n<\/registry>/.exec(prompt)?.[1];
  expect(JSON.parse(registry!)).toEqual([
    { name: 'health', description: 'Health log.', capabilities: ['weight'] },
    { name: 'general', description: 'Everything else.', capabilities: [] },
  ]);
  expect(prompt.endsWith('<message>\nLog my weight: 80kg\n</message>')).toBe(true);
  expect(prompt).toContain('Routing hints (advisory, the message content decides): the sender would prefer health when they fit the message; the sender would rather not involve messenger.');
  expect(prompt).not.toContain('ghost');
  expect(prompt.match(/<registry>/g)).toHaveLength(1);
  expect(classificationPrompt([], 'x')).not.toContain('Routing hints');
});
