import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { compareRuns, type RunArtifacts } from './shard-check.ts';

/** A run's three artifacts, small and synthetic: what compareRuns reads. */
function artifacts(dir: string, label: string, o: { tests: [string, string, string][]; input: number; traces: string[] }): RunArtifacts {
  mkdirSync(path.join(dir, 'traces'), { recursive: true });
  const report = {
    suites: [{ title: 'f.spec.ts', specs: o.tests.map(([project, title, status]) => ({ title, file: 'specs/f.spec.ts', tests: [{ projectName: project, status }] })) }],
  };
  writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report));
  writeFileSync(path.join(dir, 'cost.json'), JSON.stringify({ totals: { input_tokens: o.input, cost_usd: o.input / 1e6 }, by_model: {}, by_project: { flows: { input_tokens: o.input } } }));
  const traces = o.traces.map((title) => ({ project: 'flows', file: 'f.spec.ts', title, retry: 0, trace: `${title}.json` }));
  for (const t of traces) writeFileSync(path.join(dir, 'traces', t.trace), '{}');
  writeFileSync(path.join(dir, 'traces', 'index.json'), JSON.stringify({ traces, withoutSpans: 0, warnings: [] }));
  return { label, json: path.join(dir, 'report.json'), cost: path.join(dir, 'cost.json'), traces: path.join(dir, 'traces') };
}

test('merged-vs-unsharded comparison names each difference: a missing test, a status, a cost total, a trace, catalog coverage', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shard-check-'));
  try {
    const tests: [string, string, string][] = [['flows', 'FLW-01 a', 'expected'], ['flows', 'FLW-02 b', 'expected'], ['smoke', 'SMK-01 c', 'expected']];
    const a = artifacts(path.join(dir, 'a'), 'unsharded', { tests, input: 100, traces: ['FLW-01 a', 'FLW-02 b'] });
    const same = artifacts(path.join(dir, 'b'), 'merged', { tests, input: 100, traces: ['FLW-01 a', 'FLW-02 b'] });
    expect(compareRuns(a, same)).toEqual([]);

    // A dropped shard: its tests, their traces and their catalog citations are gone.
    const dropped = artifacts(path.join(dir, 'c'), 'merged', { tests: tests.slice(0, 1).concat(tests.slice(2)), input: 60, traces: ['FLW-01 a'] });
    const d = compareRuns(a, dropped);
    expect(d).toContain('test missing from merged: [flows] › specs/f.spec.ts › FLW-02 b (expected in unsharded)');
    expect(d).toContain('cost totals.input_tokens: 100 in unsharded, 60 in merged');
    expect(d).toContain('trace missing from merged: [flows] f.spec.ts › FLW-02 b (attempt 1)');
    expect(d.some((x) => x.startsWith('catalog coverage of FLW-02: cited by [flows] FLW-02 b in unsharded, by nothing in merged'))).toBe(true);

    // One altered cost attachment: only the totals differ, by one token.
    const altered = artifacts(path.join(dir, 'd'), 'merged', { tests, input: 101, traces: ['FLW-01 a', 'FLW-02 b'] });
    expect(compareRuns(a, altered)).toEqual(['cost totals.input_tokens: 100 in unsharded, 101 in merged', 'cost totals.cost_usd: 0.0001 in unsharded, 0.000101 in merged', 'cost by_project.flows.input_tokens: 100 in unsharded, 101 in merged']);

    // A status that changed, and a trace written twice.
    const other = artifacts(path.join(dir, 'e'), 'merged', { tests: [tests[0], ['flows', 'FLW-02 b', 'flaky'], tests[2]], input: 100, traces: ['FLW-01 a', 'FLW-02 b', 'FLW-02 b'] });
    const o = compareRuns(a, other);
    expect(o).toContain('status differs: [flows] › specs/f.spec.ts › FLW-02 b: expected in unsharded, flaky in merged');
    expect(o).toContain('merged: 2 trace artifacts for [flows] f.spec.ts › FLW-02 b (attempt 1), expected one');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
