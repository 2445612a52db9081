import { expect, test } from '@playwright/test';
import { E2EScenario, Matcher, parseScenarios, ScenarioFileError, formatZodIssues } from './index.ts';

const scenario = {
  id: 'SCN-04',
  description: 'health-weight-log',
  inputPrompt: 'Log my weight: 80kg',
  stage: 'full',
  expectedButlers: ['health'],
  expectedToolCalls: ['measurement_log'],
  dbAssertions: [
    { butler: 'health', table: 'measurements', where: { type: 'weight' }, columnChecks: { value: { between: [75, 85] } } },
  ],
  tags: ['health', 'measurement'],
};

function problems(value: unknown): string[] {
  try {
    parseScenarios('scenarios/foo.ts', value);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioFileError);
    return (error as ScenarioFileError).problems;
  }
  throw new Error('expected the scenarios to be refused');
}

test.describe('E2EScenario', () => {
  test('a valid scenario list parses unchanged', () => {
    expect(parseScenarios('scenarios/foo.ts', [scenario, { ...scenario, id: 'SCN-05' }])).toEqual([
      scenario,
      { ...scenario, id: 'SCN-05' },
    ]);
  });

  test('a wrong type names the file, the index and the field', () => {
    const list = [scenario, { ...scenario, id: 'b' }, { ...scenario, id: 'c', expectedButlers: 'health' }];
    expect(problems(list)).toEqual(['scenarios/foo.ts: scenarios[2].expectedButlers: Expected array, received string']);
  });

  test('a misspelt key is an error naming the key', () => {
    const { expectedToolCalls, ...rest } = scenario;
    const typo = { ...rest, expectedToolCall: expectedToolCalls };
    expect(problems([typo])).toEqual([
      'scenarios/foo.ts: scenarios[0].expectedToolCalls: Required',
      'scenarios/foo.ts: scenarios[0].expectedToolCall: unknown key "expectedToolCall" (a typo? remove or rename it)',
    ]);
  });

  test('bad matchers, stages, tags and duplicate ids are refused', () => {
    const bad = { ...scenario, dbAssertions: [{ butler: 'health', table: 'measurements', where: { value: { betwen: [1, 2] } } }] };
    expect(problems([bad])[0]).toMatch(/^scenarios\/foo\.ts: scenarios\[0\]\.dbAssertions\[0\]\.where\.value: Expected a string/);
    expect(problems([{ ...scenario, stage: 'partial' }])[0]).toContain('scenarios[0].stage');
    expect(problems([{ ...scenario, tags: ['@health'] }])[0]).toContain('no "@"');
    expect(problems([scenario, scenario])).toEqual([
      'scenarios/foo.ts: scenarios[1].id: duplicate scenario id "SCN-04" (also at [0]); ids must be unique',
    ]);
  });

  test('Matcher accepts the five shapes and refuses others', () => {
    for (const ok of ['weight', 7, true, { between: [1, 2] }, { oneOf: ['a', 1] }, { notNull: true }]) {
      expect(Matcher.safeParse(ok).success, JSON.stringify(ok)).toBe(true);
    }
    for (const bad of [null, { between: [2, 1] }, { notNull: false }, { oneOf: [] }, { between: [1, 2], extra: 1 }]) {
      expect(Matcher.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  test('formatZodIssues without a root prints bracketed indexes', () => {
    const result = E2EScenario.safeParse({ ...scenario, timeoutSeconds: -1 });
    if (result.success) throw new Error('expected failure');
    expect(formatZodIssues('s.ts', result.error)).toEqual(['s.ts: timeoutSeconds: Number must be greater than 0']);
  });
});
