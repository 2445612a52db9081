import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { nestedRunBase } from '../staging/ports.ts';
import { ROOT, testsOfJsonReport } from './shard-plan.ts';
import { CHROMIUM, CHROMIUM_ARGS, serveReport } from '../staging/testing/html-report.ts';

/**
 * `npm run shards` end to end on a small selection of unit tests (no
 * ecosystem, no port bound): its output, its merged totals, and the merged
 * HTML report opened in a real headless Chromium showing every test of the run.
 */
const SELECTION = ['--project=unit', "--grep=dedupeKey|LPT puts|a test file's fixed port|npm run shards arguments"];

function runShards(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/shards.ts', ...args], { cwd: ROOT, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('close', (code) => (clearTimeout(timer), resolve({ code, out })));
  });
}

test('npm run shards -- 2 --serial: per-shard times, slowest/mean, merged totals, and a merged HTML report showing every test in Chromium', async () => {
  test.setTimeout(200_000);
  const dir = mkdtempSync(path.resolve(ROOT, '.tmp', 'shards-run-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('TEST_') || k.startsWith('PLAYWRIGHT_') || k === 'E2E_RUN_STAMP' || k === 'CI') delete env[k];
  Object.assign(env, {
    E2E_PORT_BASE: String(nestedRunBase('a')),
    E2E_SHARDS_DIR: path.join(dir, 'shards'),
    PLAYWRIGHT_HTML_OUTPUT_DIR: path.join(dir, 'html'),
    E2E_JSON_REPORT: path.join(dir, 'report.json'),
    E2E_COST_FILE: path.join(dir, 'cost-summary.json'),
    E2E_TRACE_DIR: path.join(dir, 'traces'),
    E2E_DURATIONS_FILE: path.join(dir, 'durations.json'),
  });
  try {
    const run = await runShards(['2', '--serial', ...SELECTION], env);
    expect(run.code, run.out.slice(-3000)).toBe(0);
    // The printed summary: one line per shard with its wall time, the ratio, the merged totals.
    expect(run.out).toMatch(/^shard 1\/2 +\d+\.\d s +\d+ +passed$/m);
    expect(run.out).toMatch(/^shard 2\/2 +\d+\.\d s +\d+ +passed$/m);
    expect(run.out).toMatch(/^slowest\/mean: \d\.\d\d$/m);
    const listed = Number(/^\s+(\d+) tests: gate 0/m.exec(run.out)?.[1]);
    expect(listed).toBeGreaterThanOrEqual(5);
    expect(run.out).toContain(`merged: ${listed} passed, 0 failed, 0 skipped`);
    const tests = testsOfJsonReport(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')));
    expect(tests).toHaveLength(listed);
    expect(Object.keys(JSON.parse(readFileSync(path.join(dir, 'durations.json'), 'utf8')).tests)).toHaveLength(listed);

    test.skip(!existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run \`bash scripts/ensure-chromium.sh\` or set E2E_CHROMIUM`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const site = await serveReport(path.join(dir, 'html'));
    try {
      const page = await browser.newPage();
      await page.goto(site.url);
      // The filter bar counts every test of the merged run; each test is listed by its title.
      await expect(page.getByRole('link', { name: /^All\s*\d+$/ }).first()).toHaveText(new RegExp(`All\\s*${listed}$`));
      await expect(page.getByRole('link', { name: /^Passed\s*\d+$/ }).first()).toHaveText(new RegExp(`Passed\\s*${listed}$`));
      for (const t of tests) await expect(page.getByText(t.titles.at(-1)!).first(), `${t.line} is not in the merged report`).toBeVisible();
    } finally {
      await browser.close();
      await site.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
