/**
 * `npm run shards -- [N] …`: the CI matrix on this machine (docs/ci.md). Runs
 * the gate, then N shards on disjoint port blocks (at once, or `--serial`),
 * each with `--reporter=blob`; merges the blobs with merge.config.ts (HTML,
 * JSON, cost, trace and durations reporters); prints each part's wall time,
 * `slowest/mean` and the merged totals. `--check` compares a fixed selection
 * run unsharded and sharded (scripts/shard-check.ts).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureBuilt } from '../staging/build.ts';
import { portBase } from '../staging/ports.ts';
import { runStamp } from '../staging/run-log.ts';
import {
  DURATIONS_FILE, MERGE_CONFIG, PLAYWRIGHT_CLI, PORTS_PER_WORKER, ROOT, USAGE, UsageError,
  gateProjects, imbalance, partBlobDir, listTests, makePlan, parseArgs, partArgs, partPortBase, readDurations, testListText,
  type Options, type Plan,
} from './shard-plan.ts';
import { leftovers } from './leftovers.mjs';

export interface PartResult {
  part: 'gate' | number;
  code: number;
  ms: number;
  tests: number;
  blob?: string;
  log: string;
}

export interface MergeOutputs {
  dir: string;
  html: string;
  json: string;
  cost: string;
  traces: string;
  durations: string;
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const partName = (p: 'gate' | number, n: number) => (p === 'gate' ? 'gate' : `shard ${p}/${n}`);

/** The OS's range for outgoing connections' local ports (Linux), where a fixed port can be briefly taken. */
function ephemeralRange(): [number, number] | undefined {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(lo) && Number.isInteger(hi) ? [lo, hi] : undefined;
  } catch {
    return undefined;
  }
}

/** The folder a sharded run writes to: lists, logs, blobs and per-part test-results. */
export function workDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(ROOT, env.E2E_SHARDS_DIR ?? '.tmp/shards');
}

export async function planFor(o: Options, env: NodeJS.ProcessEnv, log: (s: string) => void): Promise<Plan> {
  const durationsFile = typeof o.durations === 'string' ? o.durations : path.join(ROOT, DURATIONS_FILE);
  const durations = o.durations === false ? undefined : readDurations(durationsFile);
  if (typeof o.durations === 'string' && !durations) throw new UsageError(`no durations file at ${o.durations}`);
  log(`▶ listing tests${o.selection.length ? ` (${o.selection.join(' ')})` : ''}…`);
  const tests = listTests(o.selection, env);
  if (!tests.length) throw new UsageError(`the selection lists no test: ${o.selection.join(' ') || '(everything)'}`);
  const plan = makePlan(tests, await gateProjects(), o.shards, durations);
  const how = plan.mode === 'durations'
    ? `balanced by ${path.relative(ROOT, durationsFile)} (longest file first onto the least-loaded shard, --test-list)`
    : `no durations file${o.durations === false ? ' (--no-durations)' : ` at ${DURATIONS_FILE}`}: Playwright's --shard=i/${o.shards}`;
  log(`  ${tests.length} tests: gate ${plan.gate.length} (${plan.gateProjects.join(', ') || 'none'}), ${tests.length - plan.gate.length} over ${o.shards} shard(s), ${how}`);
  if (plan.mode === 'durations') log(`  estimated: ${plan.estimates.map((ms, i) => `shard ${i + 1} ${fmt(ms)}`).join(', ')}; slowest/mean ${imbalance(plan.estimates).toFixed(2)}`);
  return plan;
}

/** Runs one part (gate or shard) with its own ports, stamp, list, blob and test-results. */
export function runPart(plan: Plan, part: 'gate' | number, o: { shuffle?: string; dir: string; env: NodeJS.ProcessEnv; stamp: Date; echo: boolean; onProgress?: (line: string) => void }): Promise<PartResult> {
  const name = part === 'gate' ? 'gate' : `shard-${part}`;
  const tests = part === 'gate' ? plan.gate : plan.mode === 'durations' ? plan.lists[part - 1] : plan.lists[0];
  mkdirSync(path.join(o.dir, 'lists'), { recursive: true });
  mkdirSync(path.join(o.dir, 'logs'), { recursive: true });
  const list = path.join(o.dir, 'lists', `${name}.txt`);
  writeFileSync(list, testListText(tests));
  const logFile = path.join(o.dir, 'logs', `${name}.log`);
  const blobDir = path.resolve(ROOT, partBlobDir(name, path.relative(ROOT, o.dir)));
  const blobName = part === 'gate' ? 'report-gate.zip' : `report-shard-${part}-of-${plan.shards}.zip`;
  const workers = Number(o.env.E2E_WORKERS ?? 1);
  const env = {
    ...o.env,
    E2E_PORT_BASE: String(partPortBase(portBase(o.env), part, workers)),
    // One stamp per part, a second apart: parts that run at once keep their own run log and scratch.
    E2E_RUN_STAMP: runStamp(new Date(o.stamp.getTime() + (part === 'gate' ? 0 : part) * 1000)),
    PLAYWRIGHT_BLOB_OUTPUT_DIR: blobDir,
    PLAYWRIGHT_BLOB_OUTPUT_NAME: blobName,
    E2E_TEST_RESULTS: path.join(o.dir, 'parts', name, 'test-results'),
    E2E_JSON_REPORT: path.join(o.dir, 'parts', name, 'report.json'),
    FORCE_COLOR: '0',
  };
  const args = partArgs(plan, part, path.relative(ROOT, list), o.shuffle);
  const started = Date.now();
  if (part !== 'gate' && plan.mode === 'shard' && tests.length === 0) return Promise.resolve({ part, code: 0, ms: 0, tests: 0, log: logFile });
  if (tests.length === 0) return Promise.resolve({ part, code: 0, ms: 0, tests: 0, log: logFile });
  const out = createWriteStream(logFile);
  out.write(`$ E2E_PORT_BASE=${env.E2E_PORT_BASE} npx playwright ${args.join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PLAYWRIGHT_CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    // Tests the part really ran (with --shard, Playwright picks them from the list).
    let ran = tests.length;
    const onData = (d: Buffer) => {
      out.write(d);
      if (o.echo) process.stdout.write(d);
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('progress ')) {
          const m = /^progress (?:end \w+ )?\d+\/(\d+)/.exec(line);
          if (m) ran = Number(m[1]);
          o.onProgress?.(line);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code, signal) => {
      out.end();
      const blob = path.join(blobDir, blobName);
      resolve({ part, code: code ?? (signal ? 1 : 1), ms: Date.now() - started, tests: ran, blob: existsSync(blob) ? blob : undefined, log: logFile });
    });
  });
}

/** `playwright merge-reports` of every blob in `blobs` with merge.config.ts, outputs under `out`. */
export function mergeBlobs(blobs: string, out: Partial<MergeOutputs>, env: NodeJS.ProcessEnv, echo = false): Promise<{ code: number; outputs: MergeOutputs; text: string }> {
  const outputs: MergeOutputs = {
    dir: blobs,
    html: out.html ?? path.resolve(ROOT, env.PLAYWRIGHT_HTML_OUTPUT_DIR ?? 'playwright-report'),
    json: out.json ?? path.resolve(ROOT, env.E2E_JSON_REPORT ?? '.tmp/report.json'),
    cost: out.cost ?? path.resolve(ROOT, env.E2E_COST_FILE ?? 'cost-summary.json'),
    traces: out.traces ?? path.resolve(ROOT, env.E2E_TRACE_DIR ?? 'traces'),
    durations: out.durations ?? path.resolve(ROOT, env.E2E_DURATIONS_FILE ?? '.tmp/durations.json'),
  };
  const mergeEnv: NodeJS.ProcessEnv = {
    ...env,
    PLAYWRIGHT_HTML_OUTPUT_DIR: outputs.html,
    PLAYWRIGHT_HTML_OPEN: 'never',
    E2E_JSON_REPORT: outputs.json,
    E2E_COST_FILE: outputs.cost,
    E2E_TRACE_DIR: outputs.traces,
    E2E_DURATIONS_FILE: outputs.durations,
    FORCE_COLOR: '0',
  };
  // A merge has no run log of its own.
  delete mergeEnv.E2E_RUN_STAMP;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PLAYWRIGHT_CLI, 'merge-reports', '--config', MERGE_CONFIG, blobs], { cwd: ROOT, env: mergeEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const onData = (d: Buffer) => {
      text += d;
      if (echo) process.stdout.write(d);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => resolve({ code: code ?? 1, outputs, text }));
  });
}

export interface Totals { passed: number; failed: number; skipped: number; flaky: number; flakyTests: string[] }

/** Totals of a JSON report, flaky tests named. */
export function totalsOf(jsonReport: string): Totals {
  const report = JSON.parse(readFileSync(jsonReport, 'utf8'));
  const s = report.stats ?? {};
  const flakyTests: string[] = [];
  const walk = (suite: any, titles: string[]) => {
    for (const spec of suite.specs ?? []) for (const t of spec.tests) if (t.status === 'flaky') flakyTests.push(`[${t.projectName}] ${spec.file} › ${[...titles, spec.title].join(' › ')}`);
    for (const c of suite.suites ?? []) walk(c, [...titles, c.title]);
  };
  for (const f of report.suites ?? []) walk(f, []);
  return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: s.unexpected ?? 0, skipped: s.skipped ?? 0, flaky: s.flaky ?? 0, flakyTests };
}

/** Collects the parts' blobs into one folder for merge-reports. */
export function collectBlobs(results: PartResult[], into: string): string[] {
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  const copied: string[] = [];
  for (const r of results) {
    if (!r.blob) continue;
    const to = path.join(into, path.basename(r.blob));
    copyFileSync(r.blob, to);
    copied.push(to);
  }
  return copied;
}

export interface ShardRun {
  plan: Plan;
  results: PartResult[];
  blobs: string;
}

/** The gate, then the shards (at once or serially). A failed gate stops the shards, as a failed dependency stops Playwright's dependents. */
export async function runShards(plan: Plan, o: Options, env: NodeJS.ProcessEnv, log: (s: string) => void, dir = workDir(env)): Promise<ShardRun> {
  rmSync(path.join(dir, 'parts'), { recursive: true, force: true });
  // Bundle the ecosystem once here: parts that start at once would each find it stale and race to rebuild dist/.
  ensureBuilt((line) => log(`  ${line}`));
  const stamp = new Date();
  const base = portBase(env);
  const workers = Number(env.E2E_WORKERS ?? 1);
  const top = partPortBase(base, plan.shards, workers) + PORTS_PER_WORKER * workers;
  if (top > 61000) throw new UsageError(`${plan.shards} shards × ${workers} worker(s) from E2E_PORT_BASE=${base} need ports up to ${top}; use a lower E2E_PORT_BASE or fewer shards`);
  const ephemeral = ephemeralRange();
  if (ephemeral && top > ephemeral[0] && base <= ephemeral[1]) {
    log(`  note: ports ${Math.max(base, ephemeral[0])}–${Math.min(top - 1, ephemeral[1])} are in the OS's ephemeral range (${ephemeral[0]}–${ephemeral[1]}, /proc/sys/net/ipv4/ip_local_port_range): an outgoing connection can hold one for a moment and a boot then fails with "port … is taken"; a base with base + ${plan.shards}×${PORTS_PER_WORKER * workers} ≤ ${ephemeral[0]} avoids it`);
  }
  const results: PartResult[] = [];
  const only = o.only;
  const progress = new Map<string, string>();
  let lastPrint = 0;
  const onProgress = (name: string) => (line: string) => {
    progress.set(name, line.replace(/^progress (end \w+ )?/, ''));
    const now = Date.now();
    if (now - lastPrint < 10_000 && !line.startsWith('progress end')) return;
    lastPrint = now;
    log(`  … ${[...progress.entries()].map(([k, v]) => `${k} ${v}`).join(' | ')}`);
  };
  const describe = (r: PartResult) => `${partName(r.part, plan.shards)}: ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code}; log ${path.relative(ROOT, r.log)})`}, ${r.tests} tests, ${fmt(r.ms)}`;
  const common = { shuffle: o.shuffle, dir, env, stamp, echo: only !== undefined };
  if (only === undefined || only === 'gate') {
    if (plan.gate.length) {
      log(`▶ gate (${plan.gateProjects.join(', ')}, ${plan.gate.length} tests) on E2E_PORT_BASE=${partPortBase(base, 'gate', workers)}`);
      const r = await runPart(plan, 'gate', { ...common, onProgress: onProgress('gate') });
      results.push(r);
      log(`  ${describe(r)}`);
      if (r.code !== 0 && only === undefined) {
        log(`  the gate failed: no shard runs (Playwright skips every project depending on ${plan.gateProjects.join(', ')} when it fails)`);
        return { plan, results, blobs: path.join(dir, 'blobs') };
      }
    }
  }
  const shards = only === undefined ? Array.from({ length: plan.shards }, (_, i) => i + 1) : only === 'gate' ? [] : [only];
  if (shards.length) {
    const how = o.serial || shards.length === 1 ? 'one after another' : 'at once';
    log(`▶ ${shards.length === 1 ? partName(shards[0], plan.shards) : `${shards.length} shards ${how}`}: ${shards.map((i) => `shard ${i} on E2E_PORT_BASE=${partPortBase(base, i, workers)}`).join(', ')}`);
    if (o.serial || shards.length === 1) {
      for (const i of shards) {
        const r = await runPart(plan, i, { ...common, onProgress: onProgress(`shard ${i}`) });
        results.push(r);
        log(`  ${describe(r)}`);
      }
    } else {
      const rs = await Promise.all(shards.map((i) => runPart(plan, i, { ...common, onProgress: onProgress(`shard ${i}`) }).then((r) => (log(`  ${describe(r)}`), r))));
      results.push(...rs);
    }
  }
  return { plan, results, blobs: path.join(dir, 'blobs') };
}

/** The summary the runner prints after a merge: per part, slowest/mean, totals, flaky. */
export function summaryLines(run: ShardRun, totals: Totals | undefined): string[] {
  const shardResults = run.results.filter((r) => r.part !== 'gate');
  const lines = ['', 'part        wall time  tests  result'];
  for (const r of run.results) lines.push(`${partName(r.part, run.plan.shards).padEnd(11)} ${fmt(r.ms).padStart(9)}  ${String(r.tests).padStart(5)}  ${r.code === 0 ? 'passed' : 'FAILED'}`);
  if (shardResults.length === run.plan.shards) {
    const times = shardResults.map((r) => r.ms);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    lines.push(`shards: slowest ${fmt(Math.max(...times))}, mean ${fmt(mean)} (${run.plan.mode === 'durations' ? 'durations, --test-list' : '--shard=i/N'})`);
    lines.push(`slowest/mean: ${imbalance(times).toFixed(2)}`);
  }
  if (totals) {
    if (totals.flaky) lines.push(`flaky (passed only on retry): ${totals.flaky}`, ...totals.flakyTests.map((t) => `  ${t}`));
    lines.push(`merged: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped${totals.flaky ? ` (${totals.flaky} flaky)` : ''}`);
  }
  return lines;
}

async function main(argv: string[]): Promise<number> {
  const log = (s: string) => console.log(s);
  const o = parseArgs(argv);
  const env = { ...process.env };
  delete env.E2E_RUN_STAMP;
  if (o.matrix) {
    console.log(JSON.stringify(Array.from({ length: o.shards }, (_, i) => i + 1)));
    return 0;
  }
  if (o.check) {
    const { runCheck } = await import('./shard-check.ts');
    return runCheck(o, env, log);
  }
  if (o.mergeOnly) {
    log(`▶ merge-reports --config ${MERGE_CONFIG} ${o.mergeOnly}`);
    const blobs = path.resolve(o.mergeOnly);
    const found = existsSync(blobs) ? readdirSync(blobs).filter((f) => f.endsWith('.zip')) : [];
    if (!found.length) throw new UsageError(`no blob report (*.zip) in ${o.mergeOnly}`);
    log(`  ${found.length} blob(s): ${found.sort().join(', ')}`);
    const m = await mergeBlobs(blobs, {}, env, true);
    if (m.code !== 0 || !existsSync(m.outputs.json)) return (log(`merge-reports failed (exit ${m.code})`), 1);
    const totals = totalsOf(m.outputs.json);
    for (const l of summaryLines({ plan: makePlan([], [], o.shards, undefined), results: [], blobs }, totals)) log(l);
    log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
    return totals.failed || totals.passed + totals.skipped === 0 ? 1 : 0;
  }
  if (o.shuffle) {
    log(`shuffle seed ${o.shuffle}; replay this order: npm run shards -- ${o.shards} --shuffle=${o.shuffle}${o.only !== undefined ? ` --only=${o.only}` : ''}${o.durations === false ? ' --no-durations' : ''}${o.selection.length ? ` ${o.selection.join(' ')}` : ''}`);
  }
  // Processes of this checkout alive before the run (an outer run's, another run's) are not this run's leftovers.
  const before = new Set((await leftovers(ROOT, new Set(), 0)).map((l) => l.pid));
  const plan = await planFor(o, env, log);
  const started = Date.now();
  const run = await runShards(plan, o, env, log);
  const failed = run.results.filter((r) => r.code !== 0);
  if (o.only !== undefined) {
    const r = run.results[0];
    if (r?.blob) log(`blob: ${path.relative(ROOT, r.blob)}`);
    if (o.shuffle && failed.length) log(`replay: npm run shards -- ${o.shards} --only=${o.only} --shuffle=${o.shuffle}`);
    return failed.length ? 1 : 0;
  }
  log(`▶ merge-reports --config ${MERGE_CONFIG} (${run.results.filter((r) => r.blob).length} blobs)`);
  collectBlobs(run.results, run.blobs);
  const m = await mergeBlobs(run.blobs, {}, env);
  writeFileSync(path.join(workDir(env), 'logs', 'merge.log'), m.text);
  const totals = m.code === 0 && existsSync(m.outputs.json) ? totalsOf(m.outputs.json) : undefined;
  if (!totals) log(`merge-reports failed (exit ${m.code}); see ${path.relative(ROOT, path.join(workDir(env), 'logs', 'merge.log'))}`);
  for (const l of summaryLines(run, totals)) log(l);
  for (const r of failed) {
    // What ended the part, even when no test failed (a reporter, such as the canary sweep, can fail a run).
    const tail = readFileSync(r.log, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('progress ')).slice(-8);
    log(`${partName(r.part, plan.shards)} exited ${r.code}; the end of ${path.relative(ROOT, r.log)}:\n  ${tail.join('\n  ')}`);
  }
  log(`wall time ${fmt(Date.now() - started)}; merged HTML report: ${path.relative(ROOT, m.outputs.html)}/index.html, cost: ${path.relative(ROOT, m.outputs.cost)}, traces: ${path.relative(ROOT, m.outputs.traces)}/index.html, durations: ${path.relative(ROOT, m.outputs.durations)}`);
  if (o.shuffle && (failed.length || (totals?.failed ?? 1))) log(`replay this order: npm run shards -- ${o.shards} --shuffle=${o.shuffle}${failed.length === 1 && failed[0].part !== 'gate' ? ` --only=${failed[0].part}` : ''}`);
  const left = await leftovers(ROOT, before);
  if (left.length) {
    log(`${left.length} process(es) of this run still alive after it ended: ${left.slice(0, 10).map((l) => `pid ${l.pid}`).join(', ')}; counted as one failure (kill ${left.map((l) => l.pid).join(' ')})`);
  }
  const p = totals?.passed ?? 0;
  const f = (totals?.failed ?? 0) + (left.length ? 1 : 0) + (totals ? 0 : 1) + (failed.length && !(totals?.failed) ? 1 : 0);
  log(`${p} passed, ${f} failed, ${totals?.skipped ?? 0} skipped`);
  return f > 0 || failed.length ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/shards.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      if (error instanceof UsageError) {
        console.error(`shards: ${error.message}\n${USAGE}`);
        process.exit(2);
      }
      console.error(`shards: ${error instanceof Error ? error.stack ?? error.message : error}`);
      process.exit(1);
    },
  );
}
