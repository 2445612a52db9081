import { expect, test } from '@playwright/test';
import { buildFanoutPlan } from '../../contracts/build-fanout-plan.ts';
import type { FanoutPlan, FanoutPolicyInput, FanoutSubrequestPlan } from '../../contracts/fanout-plan.ts';
import { executeFanout, type Finished, type RanStatus } from './lib/fanout-executor.ts';

type Script = Record<string, { status: RanStatus; ms?: number }>;

function plan(butlers: string[], policy: FanoutPolicyInput, overrides?: Record<string, object>): FanoutPlan {
  const built = buildFanoutPlan(butlers.map((b) => ({ butler: b, prompt: `to ${b}`, segment: {} })), policy, overrides);
  if (!built.ok) throw new Error(built.message);
  return built.plan;
}

/** Runs a plan against scripted subrequests; records the event order. */
async function run(p: FanoutPlan, script: Script) {
  const events: string[] = [];
  const rows = new Map<string, string>();
  let running = 0;
  let maxRunning = 0;
  const exec = await executeFanout(p, {
    run: async (sub: FanoutSubrequestPlan) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      const s = script[sub.subrequest_id] ?? { status: 'success' };
      await new Promise((r) => setTimeout(r, s.ms ?? 20));
      running--;
      return { status: s.status, ...(s.status === 'success' ? { output: `out ${sub.butler}` } : { error: s.status, error_class: s.status }) };
    },
    started: async (sub) => void (events.push(`start ${sub.subrequest_id}`), rows.set(sub.subrequest_id, 'running')),
    finished: async (sub, f: Finished) => void (events.push(`end ${sub.subrequest_id} ${f.status}`), rows.set(sub.subrequest_id, f.status)),
    settled: async (sub, status) => void (events.push(`${status} ${sub.subrequest_id}`), rows.set(sub.subrequest_id, status)),
  });
  const atReturn = [...events];
  await exec.background;
  return { exec, events, atReturn, rows, maxRunning, statuses: exec.outcomes.map((o) => o.status) };
}

test('parallel starts everything at once and waits for all', async () => {
  const r = await run(plan(['a', 'b', 'c'], {}), { 'sr-2': { status: 'target_unavailable' } });
  expect(r.maxRunning).toBe(3);
  expect(r.statuses).toEqual(['success', 'target_unavailable', 'success']);
  expect(r.exec.outcomes[0]).toMatchObject({ subrequest_id: 'sr-1', butler: 'a', output: 'out a', error: null });
  expect(r.exec.outcomes[1]).toMatchObject({ error: 'target_unavailable', output: null });
});

test('ordered runs one at a time in plan order', async () => {
  const r = await run(plan(['a', 'b', 'c'], { mode: 'ordered' }), {});
  expect(r.maxRunning).toBe(1);
  expect(r.events).toEqual(['start sr-1', 'end sr-1 success', 'start sr-2', 'end sr-2 success', 'start sr-3', 'end sr-3 success']);
});

test('conditional: run_if success skips after a failed dependency, completed and always still run; skips cascade', async () => {
  const deps = { 1: { depends_on: ['sr-1'], run_if: 'success' }, 2: { depends_on: ['sr-1'], run_if: 'completed' }, 3: { depends_on: ['sr-1'], run_if: 'always' }, 4: { depends_on: ['sr-2'], run_if: 'completed' } };
  const r = await run(plan(['a', 'b', 'c', 'd', 'e'], { mode: 'conditional' }, deps), { 'sr-1': { status: 'target_unavailable' } });
  expect(r.statuses).toEqual(['target_unavailable', 'skipped', 'success', 'success', 'skipped']);
  expect(r.events.indexOf('start sr-3')).toBeGreaterThan(r.events.indexOf('end sr-1 target_unavailable'));
  const ok = await run(plan(['a', 'b'], { mode: 'conditional' }, { 1: { depends_on: ['sr-1'] } }), {});
  expect(ok.statuses).toEqual(['success', 'success']);
  expect(ok.events).toEqual(['start sr-1', 'end sr-1 success', 'start sr-2', 'end sr-2 success']);
});

test('first_success returns at the first success, cancels what has not started, lets in-flight work finish in the background', async () => {
  const ordered = await run(plan(['a', 'b', 'c'], { mode: 'ordered', join_policy: 'first_success' }), {});
  expect(ordered.statuses).toEqual(['success', 'cancelled', 'cancelled']);
  expect(ordered.events.filter((e) => e.startsWith('start'))).toEqual(['start sr-1']);

  const parallel = await run(plan(['fast', 'slow'], { join_policy: 'first_success' }), { 'sr-1': { status: 'success', ms: 10 }, 'sr-2': { status: 'success', ms: 300 } });
  expect(parallel.statuses).toEqual(['success', 'running']);
  expect(parallel.atReturn).not.toContain('end sr-2 success');
  expect(parallel.events).toContain('end sr-2 success');
  expect(parallel.rows.get('sr-2')).toBe('success');

  const none = await run(plan(['a', 'b'], { mode: 'ordered', join_policy: 'first_success' }), { 'sr-1': { status: 'error' }, 'sr-2': { status: 'timeout' } });
  expect(none.statuses).toEqual(['error', 'timeout']);
});

test('abort policies: on_any_failure cancels the rest, on_required_failure only after a required failure', async () => {
  const any = await run(plan(['a', 'b', 'c'], { mode: 'ordered', abort_policy: 'on_any_failure' }), { 'sr-1': { status: 'target_unavailable' } });
  expect(any.statuses).toEqual(['target_unavailable', 'cancelled', 'cancelled']);
  const optional = await run(plan(['a', 'b'], { mode: 'ordered', abort_policy: 'on_required_failure' }, { 0: { required: false } }), { 'sr-1': { status: 'error' } });
  expect(optional.statuses).toEqual(['error', 'success']);
  const required = await run(plan(['a', 'b'], { mode: 'ordered', abort_policy: 'on_required_failure' }), { 'sr-1': { status: 'timeout' } });
  expect(required.statuses).toEqual(['timeout', 'cancelled']);
  const cont = await run(plan(['a', 'b'], { mode: 'ordered' }), { 'sr-1': { status: 'target_quarantined' } });
  expect(cont.statuses).toEqual(['target_quarantined', 'success']);
  // Parallel: everything already started, so nothing is left to cancel.
  const par = await run(plan(['a', 'b'], { abort_policy: 'on_any_failure' }), { 'sr-1': { status: 'error', ms: 5 } });
  expect(par.statuses).toEqual(['error', 'success']);
});
