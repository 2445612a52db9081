/**
 * The shard plan, shared by the local runner (`npm run shards`, scripts/shards.ts)
 * and the CI workflow (.github/workflows/e2e.yml, whose commands are checked
 * against CI_COMMANDS below by ci/workflow.test.ts): how tests are split, which
 * command each part runs, and on which ports.
 *
 * A run is a *gate* and N *shards*. The gate is every test of a project other
 * projects depend on (`smoke`), run once, first: Playwright itself would run
 * that dependency whole again in every shard holding a dependent test (and
 * merge-reports would list those tests once per shard), so the plan lifts it
 * out and every part runs with `--no-deps`. The shards then split the other
 * tests: greedy LPT over files (longest first, each onto the least-loaded
 * shard) from a durations file, passed as `--test-list`; with no durations
 * file, one list of all of them and Playwright's own `--shard=i/N`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testListLine, type DurationsFile } from '../reporters/durations-reporter.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Shards when none is named; the workflow's SHARD_TOTAL is checked against it. */
export const DEFAULT_SHARDS = 4;
/** The committed durations the plan balances with (refresh: docs/ci.md). */
export const DURATIONS_FILE = '.ci/durations.json';
/** Ports a run uses per worker (staging/ports.ts): shard i's base is base + (i-1) × this × workers. */
export const PORTS_PER_WORKER = 1000;
export const PLAYWRIGHT_CLI = 'node_modules/@playwright/test/cli.js';
/** Every part's reporters: the blob to merge, progress lines for the runner, the canary sweep of the blob. */
export const PART_REPORTERS = 'blob,./reporters/progress-reporter.ts,./reporters/canary-reporter.ts';
/** The configuration `merge-reports` reads: the HTML, JSON, cost, trace and durations reporters. */
export const MERGE_CONFIG = 'merge.config.ts';
/** Where a part leaves its blob, relative to the repository (the default E2E_SHARDS_DIR); CI uploads these folders. */
export const partBlobDir = (part: string, shardsDir = '.tmp/shards') => `${shardsDir}/parts/${part}/blob/`;
/** What the merge writes by default (merge.config.ts), which CI uploads. */
export const MERGED_OUTPUTS = { html: 'playwright-report/', cost: 'cost-summary.json', traces: 'traces/', durations: '.tmp/durations.json' } as const;

/**
 * The commands of the workflow's jobs, exactly as e2e.yml writes them: each is
 * `npm run shards` with the part to run, so CI runs what a user runs.
 */
export const CI_COMMANDS = {
  gate: 'npm run shards -- ${{ env.SHARD_TOTAL }} --only=gate --shuffle=${{ needs.plan.outputs.seed }}',
  shard: 'npm run shards -- ${{ env.SHARD_TOTAL }} --only=${{ matrix.shard }} --shuffle=${{ needs.plan.outputs.seed }}',
  merge: 'npm run shards -- ${{ env.SHARD_TOTAL }} --merge-only=all-blobs',
  matrix: 'npm run --silent shards -- ${{ env.SHARD_TOTAL }} --matrix',
} as const;

export interface ListedTest {
  project: string;
  /** Path from the repository root, `/`-separated. */
  file: string;
  /** describe titles, then the test title. */
  titles: string[];
  /** Its `--test-list` line, also its key in the durations file. */
  line: string;
}

export interface Options {
  shards: number;
  serial: boolean;
  /** `gate` or a shard number: run only that part (CI), no merge. */
  only?: 'gate' | number;
  /** Merge the blobs in this folder and stop (CI's merge job). */
  mergeOnly?: string;
  /** Print the matrix JSON (`[1,2,…,N]`) and stop. */
  matrix: boolean;
  shuffle?: string;
  /** false: ignore durations, use --shard. */
  durations: boolean | string;
  check: boolean;
  tamper?: 'drop-blob' | 'alter-cost';
  /** Selection given to `playwright test --list`: --grep / --project / file filters. */
  selection: string[];
}

export class UsageError extends Error {}

export const USAGE = `usage: npm run shards -- [N] [--serial] [--shuffle[=seed]] [--no-durations | --durations=<file>]
                          [--only=gate|<i>] [--merge-only=<blob dir>] [--matrix]
                          [--check [--tamper=drop-blob|alter-cost]] [--grep=<re>] [--project=<p>] [--no-deps] [files…]
  N                 shards (default ${DEFAULT_SHARDS}), a whole number from 1 to 32
  --serial          one shard after another (how balance is measured on a small machine)
  --shuffle[=seed]  random order inside each part; the seed is printed with the command replaying it
  --no-durations    split with Playwright's --shard=i/N instead of ${DURATIONS_FILE}
  --only=gate|i     run only the gate or shard i and leave its blob (a CI job); no merge
  --merge-only=dir  merge the blobs in dir with ${MERGE_CONFIG} (CI's merge job)
  --check           run a fixed selection unsharded and as N shards (default 2) and compare them`;

/** Parses `npm run shards -- …` arguments; a UsageError says what is wrong in one sentence. */
export function parseArgs(argv: string[]): Options {
  const o: Options = { shards: DEFAULT_SHARDS, serial: false, matrix: false, durations: true, check: false, selection: [] };
  let count: string | undefined;
  for (const arg of argv) {
    // A number, even a bad one (-1, 2.5), is meant as the shard count.
    if (/^[-+]?[\d.]+$/.test(arg)) {
      if (count !== undefined) throw new UsageError(`the shard count is given twice ("${count}" and "${arg}")`);
      count = arg;
      continue;
    }
    const [flag, value] = arg.startsWith('--') ? [arg.split('=')[0], arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : undefined] : [arg, undefined];
    switch (flag) {
      case '--serial': o.serial = true; break;
      case '--matrix': o.matrix = true; break;
      case '--check': o.check = true; break;
      case '--no-durations': o.durations = false; break;
      case '--durations':
        if (!value) throw new UsageError('--durations needs a file: --durations=<file>');
        o.durations = value;
        break;
      case '--shuffle':
        if (value !== undefined && !/^\d{1,15}$/.test(value)) throw new UsageError(`--shuffle takes a numeric seed, got "${value}"`);
        o.shuffle = value ?? String(Math.floor(Math.random() * 1e9));
        break;
      case '--only':
        if (value === 'gate') o.only = 'gate';
        else if (value && /^\d+$/.test(value) && Number(value) >= 1) o.only = Number(value);
        else throw new UsageError(`--only takes "gate" or a shard number from 1, got "${value ?? ''}"`);
        break;
      case '--merge-only':
        if (!value) throw new UsageError('--merge-only needs the folder of blob reports: --merge-only=<dir>');
        o.mergeOnly = value;
        break;
      case '--tamper':
        if (value !== 'drop-blob' && value !== 'alter-cost') throw new UsageError(`--tamper is drop-blob or alter-cost, got "${value ?? ''}"`);
        o.tamper = value;
        break;
      case '--no-deps':
        // The selection without its dependencies: the gate then holds only the selected smoke tests.
        o.selection.push(arg);
        break;
      case '--grep':
      case '--project':
        if (!value) throw new UsageError(`${flag} needs a value: ${flag}=<value>`);
        o.selection.push(arg);
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        if (/^[^/.]*$/.test(arg) && !existsSync(arg)) {
          if (count !== undefined) throw new UsageError(`the shard count is given twice ("${count}" and "${arg}")`);
          count = arg;
        } else o.selection.push(arg);
    }
  }
  if (count !== undefined) {
    if (!/^\d+$/.test(count) || Number(count) < 1 || Number(count) > 32) {
      throw new UsageError(`the shard count must be a whole number from 1 to 32, got "${count}" (e.g. npm run shards -- 4)`);
    }
    o.shards = Number(count);
  } else if (o.check) o.shards = 2;
  if (typeof o.only === 'number' && o.only > o.shards) throw new UsageError(`--only=${o.only} but there are ${o.shards} shards`);
  if (o.tamper && !o.check) throw new UsageError('--tamper only makes sense with --check (it shows the check fails)');
  return o;
}

/** Every test the selection would run, dependencies included (`playwright test --list`), in the runner's order. */
export function listTests(selection: string[], env: NodeJS.ProcessEnv = process.env): ListedTest[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'butlers-shards-'));
  const out = path.join(dir, 'list.json');
  try {
    const res = spawnSync(process.execPath, [PLAYWRIGHT_CLI, 'test', '--list', '--reporter=json', ...selection], {
      cwd: ROOT,
      env: { ...env, PLAYWRIGHT_JSON_OUTPUT_FILE: out },
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (res.status !== 0 || !existsSync(out)) {
      throw new Error(`playwright test --list failed (exit ${res.status ?? res.signal}): ${(res.stderr || res.stdout).trim().split('\n').slice(-5).join(' | ')}`);
    }
    return testsOfJsonReport(JSON.parse(readFileSync(out, 'utf8')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface JsonSuite {
  title: string;
  file?: string;
  specs?: { title: string; file: string; tests: { projectName: string; status?: string }[] }[];
  suites?: JsonSuite[];
}

/** Tests of a JSON report (a `--list` or a run), with their final status when it ran. */
export function testsOfJsonReport(report: { suites: JsonSuite[] }): (ListedTest & { status?: string })[] {
  const tests: (ListedTest & { status?: string })[] = [];
  const walk = (suite: JsonSuite, titles: string[]) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests) {
        const all = [...titles, spec.title];
        tests.push({ project: t.projectName, file: spec.file, titles: all, line: testListLine(t.projectName, spec.file, all), status: t.status });
      }
    }
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
  };
  for (const file of report.suites) walk(file, []);
  return tests;
}

/** Projects some other project depends on (the gate): read from the configuration itself. */
export async function gateProjects(): Promise<string[]> {
  const { default: config } = (await import(path.join(ROOT, 'playwright.config.ts'))) as { default: { projects?: { dependencies?: string[] }[] } };
  return [...new Set((config.projects ?? []).flatMap((p) => p.dependencies ?? []))].sort();
}

export function readDurations(file: string): DurationsFile | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as DurationsFile;
  if (parsed.version !== 1 || typeof parsed.tests !== 'object') throw new Error(`${file} is not a durations file (version 1 with "tests")`);
  return parsed;
}

export interface Group {
  /** `[project] › file` */
  key: string;
  tests: ListedTest[];
  /** Estimated milliseconds: the durations file's, or the median test's times the unknown tests. */
  ms: number;
}

/**
 * Files are the unit: the config runs a file's tests in order in one worker
 * (`fullyParallel: false`), and a file's hooks and serial groups expect that.
 */
export function groupByFile(tests: ListedTest[], durations: DurationsFile | undefined): Group[] {
  const known = Object.values(durations?.tests ?? {}).sort((a, b) => a - b);
  const median = known.length ? known[Math.floor(known.length / 2)] : 1000;
  const groups = new Map<string, Group>();
  for (const t of tests) {
    const key = `[${t.project}] › ${t.file}`;
    const g = groups.get(key) ?? { key, tests: [], ms: 0 };
    g.tests.push(t);
    g.ms += durations?.tests[t.line] ?? median;
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** Greedy LPT: longest group first, each onto the shard with the least load so far (ties: lowest shard, then key). */
export function lpt(groups: Group[], n: number): { groups: Group[]; ms: number }[] {
  const shards = Array.from({ length: n }, () => ({ groups: [] as Group[], ms: 0 }));
  const sorted = [...groups].sort((a, b) => b.ms - a.ms || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const g of sorted) {
    let best = 0;
    for (let i = 1; i < n; i++) if (shards[i].ms < shards[best].ms) best = i;
    shards[best].groups.push(g);
    shards[best].ms += g.ms;
  }
  return shards;
}

export interface Plan {
  shards: number;
  mode: 'durations' | 'shard';
  gateProjects: string[];
  gate: ListedTest[];
  /** durations: each shard's tests; shard: one list, split by Playwright. */
  lists: ListedTest[][];
  /** Estimated ms per shard (durations mode). */
  estimates: number[];
}

export function makePlan(tests: ListedTest[], gate: string[], n: number, durations: DurationsFile | undefined): Plan {
  for (const t of tests) {
    if (t.titles.some((x) => x.includes('›'))) throw new Error(`"${t.line}" has a › in a title, which a --test-list line cannot hold; rename it`);
  }
  const gateTests = tests.filter((t) => gate.includes(t.project));
  const rest = tests.filter((t) => !gate.includes(t.project));
  if (!durations) return { shards: n, mode: 'shard', gateProjects: gate, gate: gateTests, lists: [rest], estimates: [] };
  const split = lpt(groupByFile(rest, durations), n);
  return {
    shards: n,
    mode: 'durations',
    gateProjects: gate,
    gate: gateTests,
    // A shard keeps the listed order of its tests (project, file, line), as an unsharded run would.
    lists: split.map((s) => { const mine = new Set(s.groups.flatMap((g) => g.tests)); return rest.filter((t) => mine.has(t)); }),
    estimates: split.map((s) => s.ms),
  };
}

/** The text of a `--test-list` file. */
export function testListText(tests: ListedTest[]): string {
  return `${tests.map((t) => t.line).join('\n')}\n`;
}

/** Arguments of `playwright test` for one part; `listFile` holds its test list. */
export function partArgs(plan: Plan, part: 'gate' | number, listFile: string, shuffle?: string): string[] {
  const args = ['test', '--no-deps', `--test-list=${listFile}`, `--reporter=${PART_REPORTERS}`];
  if (part !== 'gate' && plan.mode === 'shard') args.push(`--shard=${part}/${plan.shards}`);
  if (shuffle) args.push(`--shuffle=${shuffle}`);
  return args;
}

/** Shard i's E2E_PORT_BASE: disjoint blocks of PORTS_PER_WORKER × workers from the run's base (the gate uses the base). */
export function partPortBase(base: number, part: 'gate' | number, workers: number): number {
  return part === 'gate' ? base : base + (part - 1) * PORTS_PER_WORKER * workers;
}

/** slowest / mean of the shards' times. */
export function imbalance(times: number[]): number {
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return mean > 0 ? Math.max(...times) / mean : 1;
}
