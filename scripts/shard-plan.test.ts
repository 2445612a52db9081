import { expect, test } from '@playwright/test';
import { DEFAULT_SHARDS, UsageError, groupByFile, imbalance, lpt, makePlan, parseArgs, partArgs, partPortBase, testListText, type ListedTest } from './shard-plan.ts';
import { testListLine } from '../reporters/durations-reporter.ts';

const t = (project: string, file: string, title: string): ListedTest => ({ project, file, titles: [title], line: testListLine(project, file, [title]) });

test('npm run shards arguments: a count, flags, and one clear sentence for bad input', () => {
  expect(parseArgs([])).toMatchObject({ shards: DEFAULT_SHARDS, serial: false, durations: true });
  expect(parseArgs(['3', '--serial', '--shuffle=42'])).toMatchObject({ shards: 3, serial: true, shuffle: '42' });
  expect(parseArgs(['--shuffle']).shuffle).toMatch(/^\d+$/);
  expect(parseArgs(['--check']).shards).toBe(2);
  expect(parseArgs(['4', '--grep=FLW-01', 'specs/flows']).selection).toEqual(['--grep=FLW-01', 'specs/flows']);
  const bad: [string[], RegExp][] = [
    [['0'], /whole number from 1 to 32, got "0"/],
    [['abc'], /whole number from 1 to 32, got "abc"/],
    [['-1'], /whole number from 1 to 32, got "-1"/],
    [['2.5'], /whole number from 1 to 32, got "2.5"/],
    [['33'], /got "33"/],
    [['2', '3'], /given twice/],
    [['--only=5'], /--only=5 but there are 4 shards/],
    [['--only=x'], /--only takes "gate" or a shard number/],
    [['--shuffle=abc'], /numeric seed/],
    [['--tamper=drop-blob'], /only makes sense with --check/],
    [['--frobnicate'], /unknown option --frobnicate/],
  ];
  for (const [args, message] of bad) expect(() => parseArgs(args), args.join(' ')).toThrow(message);
  expect(() => parseArgs(['0'])).toThrow(UsageError);
});

test('LPT puts the longest file first onto the least-loaded shard, deterministically', () => {
  const groups = [9, 7, 6, 5, 4, 3, 2, 2, 1].map((s, i) => ({ key: `[p] › f${i}`, tests: [], ms: s * 1000 }));
  const shards = lpt(groups, 3);
  expect(shards.map((s) => s.ms / 1000)).toEqual([13, 13, 13]);
  expect(shards[0].groups[0].key).toBe('[p] › f0');
  expect(lpt(groups, 3)).toEqual(shards);
  expect(imbalance(shards.map((s) => s.ms))).toBe(1);
  // Plain count-based splitting of the same files (what --shard does) is far worse here.
  const byCount = [groups.slice(0, 3), groups.slice(3, 6), groups.slice(6)].map((g) => g.reduce((a, b) => a + b.ms, 0));
  expect(imbalance(byCount)).toBeGreaterThan(1.5);
});

test('a plan lifts the gate project out, keeps files whole, estimates unknown tests, and falls back to --shard without durations', () => {
  const tests = [t('smoke', 's.spec.ts', 'SMK-01 a'), t('unit', 'u.test.ts', 'u1'), t('unit', 'u.test.ts', 'u2'), t('flows', 'f.spec.ts', 'f1'), t('flows', 'g.spec.ts', 'g1'), t('flows', 'new.spec.ts', 'n1')];
  const durations = { version: 1 as const, tests: { [tests[1].line]: 500, [tests[2].line]: 500, [tests[3].line]: 3000, [tests[4].line]: 2500 } };
  const plan = makePlan(tests, ['smoke'], 2, durations);
  expect(plan.mode).toBe('durations');
  expect(plan.gate.map((x) => x.line)).toEqual([tests[0].line]);
  expect(plan.lists.flat().map((x) => x.line).sort()).toEqual(tests.slice(1).map((x) => x.line).sort());
  for (const list of plan.lists) expect(new Set(list.map((x) => x.file)).size, 'a file split across shards').toBe(list.length ? new Set(list.map((x) => x.file)).size : 0);
  const shardOf = (file: string) => plan.lists.findIndex((l) => l.some((x) => x.file === file));
  expect(shardOf('u.test.ts')).toBeGreaterThanOrEqual(0);
  expect(plan.lists.filter((l) => l.some((x) => x.file === 'u.test.ts'))).toHaveLength(1);
  // new.spec.ts is not in the durations: it is estimated at the median test (500 ms here… or more), and still runs.
  expect(groupByFile([tests[5]], durations)[0].ms).toBeGreaterThan(0);
  expect(testListText(plan.lists[0])).toMatch(/^\[\w+\] › [\w.]+ › \w+/);
  const fallback = makePlan(tests, ['smoke'], 2, undefined);
  expect(fallback.mode).toBe('shard');
  expect(fallback.lists).toHaveLength(1);
  expect(partArgs(fallback, 2, 'l.txt')).toEqual(['test', '--no-deps', '--test-list=l.txt', '--reporter=blob,./reporters/progress-reporter.ts,./reporters/canary-reporter.ts', '--shard=2/2']);
  expect(partArgs(plan, 'gate', 'g.txt', '7')).toEqual(['test', '--no-deps', '--test-list=g.txt', '--reporter=blob,./reporters/progress-reporter.ts,./reporters/canary-reporter.ts', '--shuffle=7']);
  expect(() => makePlan([t('unit', 'x.test.ts', 'a › b')], [], 2, durations)).toThrow(/a › in a title/);
});

test('each shard gets its own port block, 1000 per worker apart, the gate the base', () => {
  expect([partPortBase(30100, 'gate', 1), partPortBase(30100, 1, 1), partPortBase(30100, 2, 1), partPortBase(30100, 4, 1)]).toEqual([30100, 30100, 31100, 33100]);
  expect(partPortBase(30100, 3, 2)).toBe(34100);
});
