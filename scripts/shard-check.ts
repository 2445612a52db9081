/**
 * `npm run shards -- --check [N]`: merged equals unsharded. A fixed selection
 * runs once as `playwright test` (the config's own reporters) and once as N
 * shards merged with merge.config.ts; the two must list the same tests with
 * the same statuses, the same cost totals (the model double is
 * deterministic), one trace per traced test attempt, and the same catalog
 * coverage. Every difference is named. `--tamper=drop-blob` (the last
 * shard's blob is deleted before the merge) and `--tamper=alter-cost` (one
 * test's cost attachment gets one more input token) show it fails.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { checkCoverage } from '../catalog/coverage.ts';
import { loadCatalog } from '../catalog/requirements.ts';
import { COST_ATTACHMENT_NAME } from '../reporters/cost-attachment.ts';
import type { CostSummary } from '../reporters/cost-summary.ts';
import type { TraceIndex } from '../reporters/trace-reporter.ts';
import { PLAYWRIGHT_CLI, ROOT, testsOfJsonReport, type Options } from './shard-plan.ts';
import { collectBlobs, mergeBlobs, planFor, runShards, totalsOf, workDir, type MergeOutputs } from './shards.ts';

/**
 * The fixed selection: smoke tests (the gate), flows and scenario tests that
 * call the model double (cost attachments) and leave traces, and unit tests
 * (no ecosystem), over several files so that shards differ. `--no-deps`
 * keeps the gate to the selected smoke tests (a selected flows test would
 * otherwise bring all of smoke, in both runs alike, only slower).
 */
export const CHECK_SELECTION = ['--no-deps', '--grep=SMK-01 |SMK-04 |FLW-0[1-4] |FLW-0[6-8] |SCN-0[1-4] |dedupeKey'];

/** What one run left: its JSON report, cost summary and trace index. */
export interface RunArtifacts {
  label: string;
  json: string;
  cost: string;
  traces: string;
}

const read = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Every difference between an unsharded and a merged run, one sentence each; empty when they agree. */
export function compareRuns(a: RunArtifacts, b: RunArtifacts): string[] {
  const diffs: string[] = [];
  for (const r of [a, b]) for (const f of [r.json, r.cost, path.join(r.traces, 'index.json')]) if (!existsSync(f)) diffs.push(`${r.label}: ${path.relative(ROOT, f)} is missing`);
  if (diffs.length) return diffs;

  // Tests and statuses.
  const statuses = (r: RunArtifacts) => new Map(testsOfJsonReport(read(r.json)).map((t) => [t.line, t.status ?? '?']));
  const sa = statuses(a);
  const sb = statuses(b);
  for (const [line, s] of sa) {
    if (!sb.has(line)) diffs.push(`test missing from ${b.label}: ${line} (${s} in ${a.label})`);
    else if (sb.get(line) !== s) diffs.push(`status differs: ${line}: ${s} in ${a.label}, ${sb.get(line)} in ${b.label}`);
  }
  for (const [line, s] of sb) if (!sa.has(line)) diffs.push(`test only in ${b.label}: ${line} (${s})`);

  // Cost totals: tokens and dollars, overall, per model and per project.
  const ca = read<CostSummary>(a.cost);
  const cb = read<CostSummary>(b.cost);
  const flat = (o: unknown, prefix = ''): [string, unknown][] =>
    o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => flat(v, prefix ? `${prefix}.${k}` : k)) : [[prefix, o]];
  for (const part of ['totals', 'by_model', 'by_project'] as const) {
    const fa = new Map(flat(ca[part]));
    const fb = new Map(flat(cb[part]));
    for (const k of new Set([...fa.keys(), ...fb.keys()])) {
      if (fa.get(k) !== fb.get(k)) diffs.push(`cost ${part}.${k}: ${String(fa.get(k))} in ${a.label}, ${String(fb.get(k))} in ${b.label}`);
    }
  }

  // Traces: one artifact per traced test attempt, the same attempts, and the files there.
  const traces = (r: RunArtifacts) => {
    const index = read<TraceIndex>(path.join(r.traces, 'index.json'));
    const count = new Map<string, number>();
    for (const t of index.traces) {
      const key = `[${t.project}] ${t.file} › ${t.title} (attempt ${t.retry + 1})`;
      count.set(key, (count.get(key) ?? 0) + 1);
      if (!existsSync(path.join(r.traces, t.trace))) diffs.push(`${r.label}: trace file ${t.trace} of ${key} is missing`);
    }
    for (const [k, n] of count) if (n !== 1) diffs.push(`${r.label}: ${n} trace artifacts for ${k}, expected one`);
    return count;
  };
  const ta = traces(a);
  const tb = traces(b);
  for (const k of ta.keys()) if (!tb.has(k)) diffs.push(`trace missing from ${b.label}: ${k}`);
  for (const k of tb.keys()) if (!ta.has(k)) diffs.push(`trace only in ${b.label}: ${k}`);

  // Catalog coverage: which ids the run's tests cite, and by which tests.
  const catalog = loadCatalog();
  const cited = (r: RunArtifacts) => {
    const tests = testsOfJsonReport(read(r.json)).map((t) => ({ project: t.project, title: t.titles.join(' › '), location: t.file }));
    const c = checkCoverage(catalog, [], tests).citations;
    return new Map([...c.entries()].map(([id, ts]) => [id, ts.map((t) => `[${t.project}] ${t.title}`).sort().join(' | ')]));
  };
  const ya = cited(a);
  const yb = cited(b);
  for (const id of new Set([...ya.keys(), ...yb.keys()])) {
    if (ya.get(id) !== yb.get(id)) diffs.push(`catalog coverage of ${id}: cited by ${ya.get(id) ?? 'nothing'} in ${a.label}, by ${yb.get(id) ?? 'nothing'} in ${b.label}`);
  }
  return diffs;
}

/** Adds one input token to the first `cost` attachment found in a blob report; returns the test it altered. */
export function alterCostAttachment(blob: string): string | undefined {
  const files = unzipSync(readFileSync(blob));
  const jsonl = strFromU8(files['report.jsonl']).split('\n');
  let altered: string | undefined;
  const lines = jsonl.map((line) => {
    if (altered || !line.includes(`"name":"${COST_ATTACHMENT_NAME}"`)) return line;
    const event = JSON.parse(line);
    const attachments = event.params?.result?.attachments ?? event.params?.attachments ?? [];
    for (const att of attachments) {
      if (att.name !== COST_ATTACHMENT_NAME || !att.base64) continue;
      const cost = JSON.parse(Buffer.from(att.base64, 'base64').toString('utf8'));
      if (!cost.sessions?.length) continue;
      // One more input token in the first session, its model's totals and the attachment's totals:
      // still a valid attachment (the schema checks totals against sessions), only one token off.
      const session = cost.sessions[0];
      session.input_tokens += 1;
      if (cost.by_model?.[session.model]) cost.by_model[session.model].input_tokens += 1;
      if (typeof cost.input_tokens === 'number') cost.input_tokens += 1;
      att.base64 = Buffer.from(JSON.stringify(cost)).toString('base64');
      altered = `${event.params?.test?.testId ?? event.params?.testId ?? 'a test'} (session ${cost.sessions[0].session_id})`;
      return JSON.stringify(event);
    }
    return line;
  });
  if (!altered) return undefined;
  files['report.jsonl'] = strToU8(lines.join('\n'));
  writeFileSync(blob, zipSync(files));
  return altered;
}

/** The unsharded run: `playwright test <selection>` with the config's reporters pointed into `dir`. */
function runUnsharded(selection: string[], dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number; artifacts: RunArtifacts; ms: number }> {
  const artifacts: RunArtifacts = { label: 'unsharded', json: path.join(dir, 'report.json'), cost: path.join(dir, 'cost-summary.json'), traces: path.join(dir, 'traces') };
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PLAYWRIGHT_CLI, 'test', ...selection, '--reporter=json,./reporters/cost-reporter.ts,./reporters/trace-reporter.ts,./reporters/progress-reporter.ts'], {
      cwd: ROOT,
      env: {
        ...env,
        E2E_JSON_REPORT: artifacts.json,
        PLAYWRIGHT_JSON_OUTPUT_FILE: artifacts.json,
        E2E_COST_FILE: artifacts.cost,
        E2E_TRACE_DIR: artifacts.traces,
        E2E_TEST_RESULTS: path.join(dir, 'test-results'),
        E2E_DURATIONS_FILE: path.join(dir, 'durations.json'),
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      writeFileSync(path.join(dir, 'run.log'), out);
      resolve({ code: code ?? 1, artifacts, ms: Date.now() - started });
    });
  });
}

export async function runCheck(o: Options, env: NodeJS.ProcessEnv, log: (s: string) => void): Promise<number> {
  const selection = o.selection.length ? o.selection : CHECK_SELECTION;
  const root = path.join(workDir(env), 'check');
  rmSync(root, { recursive: true, force: true });
  const udir = path.join(root, 'unsharded');
  mkdirSync(udir, { recursive: true });
  log(`▶ check: ${selection.join(' ')} unsharded, then as ${o.shards} shards${o.tamper ? ` (tampered: ${o.tamper})` : ''}`);
  const u = await runUnsharded(selection, udir, env);
  const ut = existsSync(u.artifacts.json) ? totalsOf(u.artifacts.json) : undefined;
  log(`  unsharded: exit ${u.code}, ${(u.ms / 1000).toFixed(1)} s${ut ? `, ${ut.passed} passed, ${ut.failed} failed, ${ut.skipped} skipped` : ''} (log ${path.relative(ROOT, path.join(udir, 'run.log'))})`);

  const plan = await planFor({ ...o, selection }, env, log);
  const run = await runShards(plan, { ...o, selection }, env, log, path.join(root, 'parts'));
  const blobs = collectBlobs(run.results, path.join(root, 'blobs'));
  if (o.tamper === 'drop-blob') {
    const dropped = blobs.filter((b) => /shard/.test(path.basename(b))).at(-1);
    if (dropped) rmSync(dropped);
    log(`  tamper: dropped ${dropped ? path.basename(dropped) : 'nothing (no shard blob!)'}`);
  }
  if (o.tamper === 'alter-cost') {
    let altered: { b: string; t: string } | undefined;
    for (const b of blobs) {
      const t = existsSync(b) ? alterCostAttachment(b) : undefined;
      if (t) { altered = { b, t }; break; }
    }
    log(`  tamper: ${altered ? `one more input token in the cost attachment of ${altered.t} in ${path.basename(altered.b)}` : 'no cost attachment found to alter!'}`);
  }
  const sdir = path.join(root, 'sharded');
  const outputs: Partial<MergeOutputs> = { html: path.join(sdir, 'html'), json: path.join(sdir, 'report.json'), cost: path.join(sdir, 'cost-summary.json'), traces: path.join(sdir, 'traces'), durations: path.join(sdir, 'durations.json') };
  const merging = readdirSync(path.join(root, 'blobs')).filter((f) => f.endsWith('.zip')).sort();
  const m = await mergeBlobs(path.join(root, 'blobs'), outputs, env);
  writeFileSync(path.join(root, 'merge.log'), m.text);
  log(`  merged ${merging.length} blob(s) (${merging.join(', ')}): exit ${m.code}`);
  const diffs = compareRuns(u.artifacts, { label: `merged ${o.shards} shards`, json: m.outputs.json, cost: m.outputs.cost, traces: m.outputs.traces });
  if (ut && ut.passed + ut.failed + ut.skipped === 0) diffs.unshift('the unsharded run ran no test: the check would compare nothing');
  if (diffs.length) {
    log(`✗ merged differs from unsharded in ${diffs.length} way(s):`);
    for (const d of diffs.slice(0, 40)) log(`  ${d}`);
    if (diffs.length > 40) log(`  … and ${diffs.length - 40} more`);
    return 1;
  }
  log(`✓ merged equals unsharded: ${ut?.passed ?? 0} passed, ${ut?.failed ?? 0} failed, ${ut?.skipped ?? 0} skipped; same statuses, cost totals, one trace per traced attempt, same catalog coverage`);
  return u.code === 0 && run.results.every((r) => r.code === 0) ? 0 : 1;
}
