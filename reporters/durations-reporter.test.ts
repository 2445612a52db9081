import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { FullConfig, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import DurationsReporter, { MAX_GAP_MS } from './durations-reporter.ts';

const ROOT = '/repo';
const fakeTest = (project: string, file: string, title: string) =>
  ({ titlePath: () => ['', project, file, title], location: { file: path.join(ROOT, file), line: 1, column: 1 } }) as unknown as TestCase;
const fakeResult = (workerIndex: number, start: number, duration: number, status: TestResult['status'] = 'passed') =>
  ({ workerIndex, startTime: new Date(start), duration, status, retry: 0 }) as unknown as TestResult;

test('durations: each test\'s time plus its worker\'s gap before it, keyed by its --test-list line; boots, other workers and long gaps are no test\'s', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'durations-'));
  try {
    const file = path.join(dir, 'd.json');
    const r = new DurationsReporter({ outputFile: file });
    r.onBegin({ rootDir: ROOT } as FullConfig, {} as Suite);
    const t0 = 1_000_000;
    r.onTestEnd(fakeTest('flows', 'specs/a.spec.ts', 'first'), fakeResult(0, t0, 1000)); // a worker's first test: no gap (its boot is no test's)
    r.onTestEnd(fakeTest('flows', 'specs/a.spec.ts', 'second'), fakeResult(0, t0 + 1500, 1000)); // 500 ms after the first ended
    r.onTestEnd(fakeTest('unit', 'x.test.ts', 'other worker'), fakeResult(1, t0 + 1600, 200)); // worker 1's first
    r.onTestEnd(fakeTest('flows', 'specs/a.spec.ts', 'skipped'), fakeResult(0, t0 + 2600, 0, 'skipped'));
    r.onTestEnd(fakeTest('flows', 'specs/b.spec.ts', 'later'), fakeResult(0, t0 + 2600 + MAX_GAP_MS + 1, 300)); // too long after: another shard's worker 0
    r.onTestEnd(fakeTest('flows', 'specs/b.spec.ts', 'earlier'), fakeResult(0, t0, 100)); // before the last end: no gap
    r.onEnd();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      version: 1,
      tests: {
        '[flows] › specs/a.spec.ts › first': 1000,
        '[flows] › specs/a.spec.ts › second': 1500,
        '[flows] › specs/b.spec.ts › earlier': 100,
        '[flows] › specs/b.spec.ts › later': 300,
        '[unit] › x.test.ts › other worker': 200,
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
