import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { CI_COMMANDS, DEFAULT_SHARDS, MERGED_OUTPUTS, ROOT, parseArgs, partArgs, partBlobDir, type Plan } from './shard-plan.ts';

const WORKFLOW = path.join(ROOT, '.github/workflows/e2e.yml');
const VALIDATOR = path.join(ROOT, 'node_modules/@action-validator/cli/cli.mjs');

interface Step { run?: string; uses?: string; with?: Record<string, unknown>; if?: string }
interface Job { needs?: string | string[]; if?: string; steps: Step[]; strategy?: { matrix: Record<string, unknown>; 'fail-fast'?: boolean } }
const workflow = () => parse(readFileSync(WORKFLOW, 'utf8')) as { env: Record<string, unknown>; jobs: Record<string, Job> };

function validate(file: string) {
  return spawnSync(process.execPath, [VALIDATOR, file], { encoding: 'utf8', timeout: 60_000 });
}

test('the workflow passes action-validator (schema of GitHub workflows), and a broken copy does not', () => {
  const ok = validate(WORKFLOW);
  expect(ok.status, `${ok.stdout}\n${ok.stderr}`).toBe(0);
  // The validator can fail: a job without runs-on and a step with an unknown key.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wf-'));
  try {
    const broken = path.join(dir, 'broken.yml');
    writeFileSync(broken, readFileSync(WORKFLOW, 'utf8').replace('    runs-on: ubuntu-latest\n    timeout-minutes: 20\n', '    timeout-minutes: 20\n').replace('      - name: Gate\n', '      - name: Gate\n        retries: 3\n'));
    const bad = validate(broken);
    expect(bad.status, 'the validator accepted a job without runs-on').not.toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the workflow\'s jobs run exactly the local runner\'s commands, on the matrix from SHARD_TOTAL', () => {
  const wf = workflow();
  const runs = (job: string) => wf.jobs[job].steps.map((s) => s.run ?? '').join('\n').split('\n').map((l) => l.trim());
  expect(wf.env.SHARD_TOTAL, 'SHARD_TOTAL and the runner\'s default shard count').toBe(DEFAULT_SHARDS);
  expect(runs('gate')).toContain(CI_COMMANDS.gate);
  expect(runs('shard')).toContain(CI_COMMANDS.shard);
  expect(runs('merge')).toContain(CI_COMMANDS.merge);
  expect(runs('plan').some((l) => l.includes(`$(${CI_COMMANDS.matrix})`))).toBe(true);
  // The only place a shard count appears is SHARD_TOTAL: every job reads it, and the matrix is computed from it.
  expect(wf.jobs.shard.strategy?.matrix.shard).toBe('${{ fromJSON(needs.plan.outputs.shards) }}');
  expect(wf.jobs.shard.strategy?.['fail-fast']).toBe(false);
  for (const job of ['gate', 'shard', 'merge']) expect(runs(job).join('\n')).not.toMatch(/shards -- \d/);
  // Blobs are uploaded from where the runner leaves them, and every blob is merged.
  const uploads = (job: string) => wf.jobs[job].steps.filter((s) => s.uses?.startsWith('actions/upload-artifact')).map((s) => s.with?.path);
  expect(uploads('gate')).toEqual([partBlobDir('gate')]);
  expect(uploads('shard')).toEqual([partBlobDir('shard-${{ matrix.shard }}')]);
  expect(uploads('merge')).toEqual([MERGED_OUTPUTS.html, MERGED_OUTPUTS.cost, MERGED_OUTPUTS.traces, MERGED_OUTPUTS.durations]);
  const download = wf.jobs.merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact'));
  expect(download?.with).toMatchObject({ pattern: 'blob-*', path: 'all-blobs', 'merge-multiple': true });
  // The merge runs after any failure, and fails the workflow when the gate or a shard failed.
  expect(wf.jobs.merge.needs).toEqual(['plan', 'gate', 'shard']);
  expect(wf.jobs.merge.if).toContain('!cancelled()');
  const last = wf.jobs.merge.steps.at(-1)!;
  expect(last.if).toContain("needs.shard.result != 'success'");
  expect(last.run).toContain('exit 1');
  // Node and npm caches as setup-node does them.
  for (const job of Object.values(wf.jobs)) expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with).toMatchObject({ cache: 'npm', 'node-version': 20 });
});

test('the workflow\'s commands are valid runner arguments that give the local runner\'s Playwright arguments', () => {
  const fill = (cmd: string) => cmd.replace('${{ env.SHARD_TOTAL }}', '4').replace('${{ matrix.shard }}', '3').replace('${{ needs.plan.outputs.seed }}', '1234').replace(/^npm run (--silent )?shards -- /, '').split(' ');
  const shard = parseArgs(fill(CI_COMMANDS.shard));
  expect(shard).toMatchObject({ shards: 4, only: 3, shuffle: '1234' });
  expect(parseArgs(fill(CI_COMMANDS.gate))).toMatchObject({ shards: 4, only: 'gate', shuffle: '1234' });
  expect(parseArgs(fill(CI_COMMANDS.merge))).toMatchObject({ shards: 4, mergeOnly: 'all-blobs' });
  expect(parseArgs(fill(CI_COMMANDS.matrix))).toMatchObject({ shards: 4, matrix: true });
  // CI's shard 3 and the local runner's shard 3 build the same command from the same plan.
  const plan: Plan = { shards: 4, mode: 'durations', gateProjects: ['smoke'], gate: [], lists: [[], [], [], []], estimates: [] };
  expect(partArgs(plan, shard.only as number, 'list.txt', shard.shuffle)).toEqual(['test', '--no-deps', '--test-list=list.txt', '--reporter=blob,./reporters/progress-reporter.ts,./reporters/canary-reporter.ts', '--shuffle=1234']);
});
