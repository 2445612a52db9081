import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../../fixtures/index.ts';
import { LIVE_NO_KEY } from '../../fixtures/model.ts';
import { startModelDouble } from '../../staging/model-double/index.ts';
import { nestedRunBase } from '../../staging/ports.ts';

/**
 * Nested `playwright test` runs of one flow with their own port block (slot a of this worker's block, staging/ports.ts): live
 * mode is the same code path as double mode, one environment variable away.
 */
const FLW_06_TITLE = 'FLW-06 a test trigger on health logs a tagged session and a weight row';

// Asynchronous on purpose: the double may live in this very process and must keep answering.
async function nestedRun(grep: string, env: Record<string, string | undefined>, reportName: string) {
  const report = path.resolve('.tmp', `nested-${reportName}-${process.pid}.json`);
  const child = spawn(
    process.execPath,
    ['node_modules/@playwright/test/cli.js', 'test', '--project=flows', '--no-deps', '-g', grep, '--reporter=json', '--workers=1'],
    { env: { ...process.env, E2E_PORT_BASE: String(nestedRunBase('a')), E2E_JSON_REPORT: report, PLAYWRIGHT_JSON_OUTPUT_FILE: report, ...env } },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 200_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const res = { status: code, stdout: out, stderr: '' };
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const results = json.suites.flatMap(function walk(s: any): any[] {
    return [...(s.specs ?? []).flatMap((sp: any) => sp.tests.flatMap((t: any) => t.results.map((r: any) => ({ title: sp.title, ...r, annotations: t.annotations })))), ...(s.suites ?? []).flatMap(walk)];
  });
  return { status: res.status, stats: json.stats, results, output: `${res.stdout}\n${res.stderr}` };
}

test('INF-06 live mode without a key skips model-dependent tests with the exact reason', async () => {
  test.setTimeout(240_000);
  const run = await nestedRun(FLW_06_TITLE, { E2E_MODEL: 'live', ANTHROPIC_API_KEY: '', CI: '', E2E_ALLOW_LIVE_IN_CI: '1' }, 'live-no-key');
  expect(run.stats.skipped, run.output.slice(-2000)).toBe(1);
  expect(run.results.map((r: any) => r.title)).toEqual([FLW_06_TITLE]);
  const skip = run.results[0].annotations.find((a: any) => a.type === 'skip');
  expect(skip?.description).toBe(LIVE_NO_KEY);
});

test('live mode pointed at the double through ANTHROPIC_BASE_URL runs the same code path and passes', async () => {
  test.setTimeout(240_000);
  const apiKey = 'sk-ant-live-path-check-0123456789';
  const double = await startModelDouble({ apiKey });
  try {
    const run = await nestedRun(FLW_06_TITLE, { E2E_MODEL: 'live', ANTHROPIC_API_KEY: apiKey, ANTHROPIC_BASE_URL: double.url, CI: '', E2E_ALLOW_LIVE_IN_CI: '1' }, 'live-double');
    expect(run.stats.expected, run.output.slice(-3000)).toBe(1);
    const seen = double.requests();
    expect(seen.length, 'the live-mode sessions reached the API at ANTHROPIC_BASE_URL').toBeGreaterThan(0);
    expect(seen.every((r) => r.status === 200)).toBe(true);
  } finally {
    await double.close();
  }
});
