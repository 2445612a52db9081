// `npm run generality`: the generality check of the model double. Copies
// roster/ plus examples/rosters/* into a folder outside the checkout, runs the
// example scenarios (examples/scenarios) through the full pipeline against that
// roster, and prints per butler passed/total with a one-line reason per
// failure. Measured, not gating: it exits 0 whatever the pass rate, and 1 only
// when Playwright produced no report. Arguments narrow the run to scenario ids
// that start with them (`npm run generality -- GDN-0 HOM-11`); `--report-only`
// prints the summary of the last run's report again without running anything.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenarios } from '../fixtures/scenario-loader.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLE_ROSTERS = path.join(ROOT, 'examples/rosters');
const EXAMPLE_SCENARIOS = path.join(ROOT, 'examples/scenarios');
const REPORT = path.join(ROOT, '.tmp/generality-report.json');
const SUMMARY = path.join(ROOT, '.tmp/generality-summary.json');

interface JsonError { message?: string }
interface JsonStep { title: string; error?: JsonError; steps?: JsonStep[] }
interface JsonResult { status: string; duration: number; errors?: JsonError[]; error?: JsonError; steps?: JsonStep[] }
interface JsonSpec { title: string; tests: { projectName: string; results: JsonResult[] }[] }
interface JsonSuite { title: string; specs?: JsonSpec[]; suites?: JsonSuite[] }

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** One line: the failing step, then the error's text with whitespace collapsed. */
export function reasonOf(result: JsonResult, max = 700): string {
  const failedStep = (result.steps ?? []).find((s) => s.error)?.title;
  const message = (result.error?.message ?? result.errors?.[0]?.message ?? result.status).replace(ANSI, '');
  const oneLine = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at ') && !/^Call Log:|^- /.test(l))
    .join(' ')
    .replace(/\s+/g, ' ')
    // Row ids, session ids and insert times say nothing about why a row does not match.
    .replace(/"(?:id|session_id|created_at)":"[^"]*",?/g, '')
    .replace(/,}/g, '}')
    .replace(/ expect\(received\)\.toBe\(expected\) \/\/ Object\.is equality Expected: true Received: false$/, '');
  const text = `${failedStep ? `[${failedStep}] ` : ''}${oneLine}`;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function specsOf(suite: JsonSuite): JsonSpec[] {
  return [...(suite.specs ?? []), ...(suite.suites ?? []).flatMap(specsOf)];
}

async function main(): Promise<number> {
  const reportOnly = process.argv.includes('--report-only');
  const filters = process.argv.slice(2).filter((a) => a !== '--report-only');
  // The example scenarios alone (the loader always adds scenarios/, which is not measured here).
  const all = await loadScenarios({ E2E_SCENARIOS: EXAMPLE_SCENARIOS });
  const examples = all.filter((s) => path.resolve(ROOT, s.file).startsWith(EXAMPLE_SCENARIOS + path.sep));
  const chosen = examples.filter((s) => filters.length === 0 || filters.some((f) => s.id.startsWith(f)));
  if (chosen.length === 0) {
    console.log(`no example scenario id starts with ${filters.join(', ')}`);
    return 1;
  }

  if (!reportOnly && !runPlaywright(chosen.map((s) => s.id))) return 1;
  if (!existsSync(REPORT)) {
    console.log(`no JSON report at ${REPORT}: run npm run generality first`);
    return 1;
  }
  return summarise(chosen);
}

/** Runs the chosen scenarios against roster/ + examples/rosters copied outside the checkout; false when no report came out. */
function runPlaywright(ids: string[]): boolean {
  // Outside the checkout: the example tools can reach the framework only by its package name.
  const roster = mkdtempSync(path.join(os.tmpdir(), 'butlers-generality-'));
  try {
    cpSync(path.join(ROOT, 'roster'), roster, { recursive: true });
    for (const name of readdirSync(EXAMPLE_ROSTERS)) cpSync(path.join(EXAMPLE_ROSTERS, name), path.join(roster, name), { recursive: true });

    mkdirSync(path.dirname(REPORT), { recursive: true });
    rmSync(REPORT, { force: true });
    const grep = `^(?:.* )?(?:${ids.map((id) => id.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|')}) `;
    const args = ['node_modules/@playwright/test/cli.js', 'test', '--project=flows', '--no-deps', 'specs/flows/scenarios.spec.ts', '-g', grep, '--reporter=list,json'];
    console.log(`▶ roster ${roster} (roster/ + ${readdirSync(EXAMPLE_ROSTERS).join(', ')}), ${ids.length} scenario(s)`);
    console.log(`▶ playwright ${args.slice(1).join(' ')}`);
    const run = spawnSync(process.execPath, args, {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, E2E_ROSTER_DIR: roster, E2E_SCENARIOS: EXAMPLE_SCENARIOS, PLAYWRIGHT_JSON_OUTPUT_NAME: REPORT },
    });
    if (!existsSync(REPORT)) {
      console.log(`no JSON report at ${REPORT}: Playwright did not finish (exit ${run.status ?? run.signal})`);
      return false;
    }
    return true;
  } finally {
    rmSync(roster, { recursive: true, force: true });
  }
}

/** Per butler passed/total and one line per failure, from the JSON report; also written to .tmp/generality-summary.json. */
function summarise(chosen: { id: string; description: string; inputPrompt: string; expectedButlers: string[] }[]): number {
  const report = JSON.parse(readFileSync(REPORT, 'utf8')) as { suites: JsonSuite[]; errors?: JsonError[] };
  const byId = new Map<string, JsonResult>();
  for (const spec of report.suites.flatMap(specsOf)) {
    const id = spec.title.split(' ')[0];
    const results = spec.tests.flatMap((t) => t.results);
    if (results.length) byId.set(id, results[results.length - 1]);
  }

  const groups = new Map<string, { id: string; description: string; prompt: string; status: string; reason?: string }[]>();
  for (const s of chosen) {
    const r = byId.get(s.id);
    const status = r?.status ?? 'not run';
    const row = { id: s.id, description: s.description, prompt: s.inputPrompt, status, reason: status === 'passed' ? undefined : r ? reasonOf(r) : 'no result in the report' };
    const butler = s.expectedButlers[0];
    groups.set(butler, [...(groups.get(butler) ?? []), row]);
  }

  console.log('\nGenerality check (measured, not gating)');
  let passed = 0;
  let total = 0;
  for (const [butler, rows] of groups) {
    const ok = rows.filter((r) => r.status === 'passed').length;
    passed += ok;
    total += rows.length;
    console.log(`${butler}: ${ok}/${rows.length} passed`);
    for (const r of rows.filter((x) => x.status !== 'passed')) console.log(`  ✗ ${r.id} "${r.prompt}": ${r.reason}`);
  }
  console.log(`overall: ${passed}/${total} passed (${total ? Math.round((100 * passed) / total) : 0}%)`);
  for (const e of report.errors ?? []) console.log(`run error: ${(e.message ?? '').replace(ANSI, '').split('\n')[0]}`);
  writeFileSync(SUMMARY, JSON.stringify({ passed, total, butlers: Object.fromEntries(groups) }, null, 2));
  console.log(`details: ${path.relative(ROOT, SUMMARY)}, full report: ${path.relative(ROOT, REPORT)}`);
  return 0;
}

process.exit(await main());
