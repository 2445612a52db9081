import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ListedTest } from './coverage.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface JsonSuite {
  title: string;
  specs?: { title: string; file: string; line: number; tests: { projectName: string }[] }[];
  suites?: JsonSuite[];
}

/**
 * Every test of every project as the runner itself lists it
 * (`playwright test --list`, no ecosystem booted), so generated tests (one
 * per roster folder, one per scenario) count exactly as they run. The
 * repository's own suite is listed: E2E_SCENARIOS and E2E_ROSTER_DIR are
 * left out, since a user's extra files are not the catalog's business.
 */
export function listTests(): ListedTest[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'butlers-list-'));
  const out = path.join(dir, 'list.json');
  try {
    const env = { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out };
    delete env.E2E_SCENARIOS;
    delete env.E2E_ROSTER_DIR;
    const res = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '--list', '--reporter=json'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (res.status !== 0) throw new Error(`playwright test --list failed (exit ${res.status ?? res.signal}): ${(res.stderr || res.stdout).trim().split('\n').slice(-5).join(' | ')}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { suites: JsonSuite[]; errors?: { message?: string }[] };
    if (report.errors?.length) throw new Error(`playwright test --list reported errors: ${report.errors.map((e) => e.message?.split('\n')[0]).join(' | ')}`);
    const tests: ListedTest[] = [];
    const walk = (suite: JsonSuite, titles: string[]) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests) tests.push({ project: t.projectName, title: [...titles, spec.title].join(' › '), location: `${spec.file}:${spec.line}` });
      }
      for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
    };
    // The top-level suites are files; their titles are paths, not part of a test's title.
    for (const file of report.suites) walk(file, []);
    return tests;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
