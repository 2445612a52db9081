import { expect, test } from '@playwright/test';
import { buildFanoutPlan, FanoutPlan, type FanoutOverrides, type FanoutPolicyInput } from './index.ts';

const entry = (butler: string, n = 1) => ({ butler, prompt: `prompt ${n} for ${butler}`, segment: { rationale: 'r' } });
const three = [entry('health', 1), entry('relationship', 2), entry('general', 3)];

function errorOf(entries: unknown[], policy?: FanoutPolicyInput, overrides?: FanoutOverrides): string {
  const result = buildFanoutPlan(entries, policy, overrides);
  expect(result.ok, JSON.stringify(result)).toBe(false);
  return result.ok ? '' : result.error;
}

test.describe('buildFanoutPlan', () => {
  test('one entry: parallel / wait_for_all / continue, sr-1 seg-1 with the defaults', () => {
    const result = buildFanoutPlan([entry('health')]);
    expect(result).toEqual({
      ok: true,
      plan: {
        mode: 'parallel',
        join_policy: 'wait_for_all',
        abort_policy: 'continue',
        subrequests: [
          {
            subrequest_id: 'sr-1',
            segment_id: 'seg-1',
            butler: 'health',
            prompt: 'prompt 1 for health',
            depends_on: [],
            run_if: 'success',
            required: true,
            arbitration_group: null,
            arbitration_priority: 0,
          },
        ],
      },
    });
    if (result.ok) expect(FanoutPlan.safeParse(result.plan).success).toBe(true);
  });

  test('entries keep their order and numbering', () => {
    const result = buildFanoutPlan(three);
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.subrequests.map((s) => `${s.subrequest_id}/${s.segment_id}/${s.butler}`)).toEqual([
      'sr-1/seg-1/health',
      'sr-2/seg-2/relationship',
      'sr-3/seg-3/general',
    ]);
  });

  test('every mode without explicit policies defaults to wait_for_all + continue', () => {
    for (const mode of ['parallel', 'ordered', 'conditional']) {
      const result = buildFanoutPlan(three, { mode });
      expect(result.ok && [result.plan.mode, result.plan.join_policy, result.plan.abort_policy]).toEqual([mode, 'wait_for_all', 'continue']);
    }
  });

  test('the built plan is immutable', () => {
    const result = buildFanoutPlan(three);
    if (!result.ok) throw new Error(result.message);
    expect(() => result.plan.subrequests.push(result.plan.subrequests[0])).toThrow();
    expect(() => ((result.plan.subrequests[0] as { butler: string }).butler = 'x')).toThrow();
  });

  test('invalid_fanout_mode with the message "Invalid fanout mode"', () => {
    const result = buildFanoutPlan(three, { mode: 'invalid' });
    expect(result).toEqual({ ok: false, error: 'invalid_fanout_mode', message: expect.stringMatching(/^Invalid fanout mode/) });
  });

  test('invalid join, abort and run_if values have their own codes', () => {
    expect(errorOf(three, { join_policy: 'first_failure' })).toBe('invalid_join_policy');
    expect(errorOf(three, { abort_policy: 'never' })).toBe('invalid_abort_policy');
    expect(errorOf(three, { mode: 'conditional' }, { 1: { run_if: 'sometimes' } })).toBe('invalid_run_if');
  });

  test('empty_plan for no entries', () => {
    expect(errorOf([])).toBe('empty_plan');
  });

  test('duplicate_subrequest_id when overrides reuse an id', () => {
    expect(errorOf(three, {}, [{ subrequest_id: 'a' }, { subrequest_id: 'a' }])).toBe('duplicate_subrequest_id');
  });

  test('unknown_dependency names the missing id', () => {
    const result = buildFanoutPlan(three, { mode: 'conditional' }, { 0: { depends_on: ['nonexistent'] } });
    expect(result).toEqual({ ok: false, error: 'unknown_dependency', message: expect.stringContaining('nonexistent') });
  });

  test('dependency_cycle for a two-node cycle and for a self-dependency', () => {
    expect(errorOf(three, { mode: 'conditional' }, { 0: { depends_on: ['sr-2'] }, 1: { depends_on: ['sr-1'] } })).toBe('dependency_cycle');
    expect(errorOf(three, { mode: 'conditional' }, { 2: { depends_on: ['sr-3'] } })).toBe('dependency_cycle');
    const long = buildFanoutPlan(three, { mode: 'conditional' }, [{ depends_on: ['sr-3'] }, { depends_on: ['sr-1'] }, { depends_on: ['sr-2'] }]);
    expect(long.ok ? '' : long.message).toContain('sr-1 -> sr-3 -> sr-2 -> sr-1');
  });

  test('dependencies in parallel mode are refused', () => {
    expect(errorOf(three, { mode: 'parallel' }, { 1: { depends_on: ['sr-1'] } })).toBe('dependencies_require_ordered_or_conditional');
    expect(errorOf(three, {}, { 1: { depends_on: ['sr-1'] } })).toBe('dependencies_require_ordered_or_conditional');
  });

  test('ordered mode: dependencies must point to earlier subrequests', () => {
    expect(errorOf(three, { mode: 'ordered' }, { 0: { depends_on: ['sr-2'] } })).toBe('ordering_violation');
    const ok = buildFanoutPlan(three, { mode: 'ordered' }, { 2: { depends_on: ['sr-1', 'sr-2'], run_if: 'always', required: false } });
    expect(ok.ok && ok.plan.subrequests[2]).toMatchObject({ depends_on: ['sr-1', 'sr-2'], run_if: 'always', required: false });
  });

  test('overrides keyed by string index and arbitration fields apply', () => {
    const result = buildFanoutPlan(three, { mode: 'conditional', join_policy: 'first_success', abort_policy: 'on_any_failure' }, {
      '1': { arbitration_group: 'g', arbitration_priority: 5, depends_on: ['sr-1'], run_if: 'completed' },
    });
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.subrequests[1]).toMatchObject({ arbitration_group: 'g', arbitration_priority: 5, depends_on: ['sr-1'], run_if: 'completed' });
    expect([result.plan.join_policy, result.plan.abort_policy]).toEqual(['first_success', 'on_any_failure']);
  });

  test('malformed entries and overrides are refused with a clear code', () => {
    expect(errorOf([{ butler: 'health' }])).toBe('invalid_entry');
    expect(errorOf(three, {}, { 7: { required: false } })).toBe('invalid_override');
    expect(errorOf(three, {}, { 0: { required: 'yes' } })).toBe('invalid_override');
  });

  test('CON-47 contract examples: every example dispatch gives the stated plan or code', () => {
    const c = { mode: 'conditional' };
    const examples: [string, unknown[], FanoutPolicyInput | undefined, FanoutOverrides | undefined, string][] = [
      ['CON-22 one entry', [entry('health')], undefined, undefined, 'ok'],
      ['CON-23 three entries', three, undefined, undefined, 'ok'],
      ['CON-24 bad mode', three, { mode: 'invalid' }, undefined, 'invalid_fanout_mode'],
      ['CON-25 cycle', three, c, { 0: { depends_on: ['sr-2'] }, 1: { depends_on: ['sr-1'] } }, 'dependency_cycle'],
      ['CON-25 self', three, c, { 0: { depends_on: ['sr-1'] } }, 'dependency_cycle'],
      ['CON-26 nonexistent', three, c, { 0: { depends_on: ['nonexistent'] } }, 'unknown_dependency'],
      ['CON-28 parallel deps', three, { mode: 'parallel' }, { 1: { depends_on: ['sr-1'] } }, 'dependencies_require_ordered_or_conditional'],
      ['CON-30 no entries', [], undefined, undefined, 'empty_plan'],
      ['CON-32 conditional', three, c, { 1: { depends_on: ['sr-1'], run_if: 'always' } }, 'ok'],
      ['CON-33 ordered first_success', three.slice(0, 2), { mode: 'ordered', join_policy: 'first_success' }, undefined, 'ok'],
    ];
    for (const [name, entries, policy, overrides, expected] of examples) {
      const result = buildFanoutPlan(entries, policy, overrides);
      expect(result.ok ? 'ok' : result.error, name).toBe(expected);
    }
  });
});
