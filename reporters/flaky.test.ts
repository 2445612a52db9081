import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import type { CostSummary } from './cost-summary.ts';
import type { TraceIndex } from './trace-reporter.ts';

const run = promisify(execFile);
const SUITE = path.resolve('reporters/fixtures/flaky-suite');
const CLI = path.resolve('node_modules/@playwright/test/cli.js');
const REPORTERS = ['json', path.resolve('reporters/cost-reporter.ts'), path.resolve('reporters/trace-reporter.ts')].join(',');

function suiteEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('TEST_') || k === 'E2E_RUN_STAMP' || k.startsWith('PLAYWRIGHT_') || k === 'CI') delete env[k];
  return { ...env, ...extra };
}

test('a test that passed only on retry is listed as flaky, with counts, in the merged cost and trace summaries and the JSON totals', async () => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'flaky-'));
  try {
    const blobs = path.join(dir, 'blobs');
    // Retries as CI has them (playwright.config.ts: retries only when CI is set), two shards, merged.
    for (const shard of ['1/2', '2/2']) {
      await run(process.execPath, [CLI, 'test', '-c', SUITE, '--retries=1', `--shard=${shard}`], { cwd: SUITE, env: suiteEnv({ PLAYWRIGHT_BLOB_OUTPUT_DIR: blobs, PWTEST_BLOB_DO_NOT_REMOVE: '1' }) }).catch((e) => e);
    }
    const out = { json: path.join(dir, 'report.json'), cost: path.join(dir, 'cost.json'), traces: path.join(dir, 'traces') };
    const merged = await run(process.execPath, [CLI, 'merge-reports', '-c', path.join(SUITE, 'playwright.config.ts'), '--reporter', REPORTERS, blobs], {
      cwd: SUITE,
      env: suiteEnv({ PLAYWRIGHT_JSON_OUTPUT_FILE: out.json, E2E_COST_FILE: out.cost, E2E_TRACE_DIR: out.traces }),
    });
    const label = '[] flaky.suite.ts › wobbly passes only on retry';
    const json = JSON.parse(readFileSync(out.json, 'utf8'));
    expect(json.stats).toMatchObject({ expected: 2, flaky: 1, unexpected: 0 });
    const cost = JSON.parse(readFileSync(out.cost, 'utf8')) as CostSummary;
    expect(cost.flaky).toEqual({ count: 1, tests: [label] });
    // Every attempt is counted: the flaky test's two, the steady ones' one each.
    expect(cost.totals).toMatchObject({ tests: 3, attempts: 4, input_tokens: 400 });
    const index = JSON.parse(readFileSync(path.join(out.traces, 'index.json'), 'utf8')) as TraceIndex;
    expect(index.flaky).toEqual({ count: 1, tests: [label] });
    expect(readFileSync(path.join(out.traces, 'index.html'), 'utf8')).toContain('1 flaky test(s), passed only on retry');
    expect(merged.stderr + merged.stdout).toContain(`1 flaky test(s), passed only on retry`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
