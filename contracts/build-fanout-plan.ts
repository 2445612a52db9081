import {
  ABORT_POLICIES,
  FANOUT_MODES,
  JOIN_POLICIES,
  RUN_IFS,
  type FanoutErrorCode,
  type FanoutOverride,
  type FanoutOverrides,
  type FanoutPlan,
  type FanoutPlanBuild,
  type FanoutPolicyInput,
  type FanoutSubrequestPlan,
  type RunIf,
} from './fanout-plan.ts';

class PlanError extends Error {
  constructor(
    readonly code: FanoutErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T, code: FanoutErrorCode, what: string): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new PlanError(code, `${what}: got ${JSON.stringify(value)}, expected ${allowed.join(' | ')}`);
}

/**
 * Builds and validates a fanout plan from classification entries
 * (docs/ecosystem.md §8.3). Ids are `sr-<n>`/`seg-<n>` in entry order; every mode
 * defaults to `wait_for_all` + `continue`. Checks run in the order of the
 * contract's rule table and the first failure is returned.
 */
export function buildFanoutPlan(
  entries: readonly unknown[],
  policy: FanoutPolicyInput = {},
  overrides?: FanoutOverrides,
): FanoutPlanBuild {
  try {
    return { ok: true, plan: build(entries, policy ?? {}, overrides) };
  } catch (error) {
    if (error instanceof PlanError) return { ok: false, error: error.code, message: error.message };
    throw error;
  }
}

function build(entries: readonly unknown[], policy: FanoutPolicyInput, overrides?: FanoutOverrides): FanoutPlan {
  const mode = pick(policy.mode, FANOUT_MODES, 'parallel', 'invalid_fanout_mode', 'Invalid fanout mode');
  const join_policy = pick(policy.join_policy, JOIN_POLICIES, 'wait_for_all', 'invalid_join_policy', 'Invalid join policy');
  const abort_policy = pick(policy.abort_policy, ABORT_POLICIES, 'continue', 'invalid_abort_policy', 'Invalid abort policy');
  if (!Array.isArray(entries)) throw new PlanError('invalid_entry', 'entries must be an array of classification entries');
  const byIndex = overridesByIndex(overrides, entries.length);
  const subrequests = entries.map((entry, index) => subrequest(entry, index, byIndex.get(index) ?? {}));

  if (subrequests.length === 0) throw new PlanError('empty_plan', 'The plan has no subrequests: pass at least one entry');
  checkUniqueIds(subrequests);
  checkDependenciesExist(subrequests);
  checkAcyclic(subrequests);
  const withDeps = subrequests.find((s) => s.depends_on.length > 0);
  if (mode === 'parallel' && withDeps) {
    throw new PlanError(
      'dependencies_require_ordered_or_conditional',
      `${withDeps.subrequest_id} has dependencies, which parallel mode does not allow; use mode ordered or conditional`,
    );
  }
  if (mode === 'ordered') checkOrdering(subrequests);

  return deepFreeze({ mode, join_policy, abort_policy, subrequests });
}

function subrequest(entry: unknown, index: number, override: FanoutOverride): FanoutSubrequestPlan {
  const n = index + 1;
  const e = entry as { butler?: unknown; prompt?: unknown } | null;
  if (typeof e !== 'object' || e === null || typeof e.butler !== 'string' || typeof e.prompt !== 'string' || !e.butler || !e.prompt) {
    throw new PlanError('invalid_entry', `entries[${index}] must be a classification entry with non-empty butler and prompt`);
  }
  const run_if: RunIf = pick(override.run_if, RUN_IFS, 'success', 'invalid_run_if', `Invalid run_if for entry ${index}`);
  const field = (name: string, ok: boolean, expected: string) => {
    if (!ok) throw new PlanError('invalid_override', `overrides[${index}].${name} must be ${expected}`);
  };
  const o = override;
  field('subrequest_id', o.subrequest_id === undefined || (typeof o.subrequest_id === 'string' && o.subrequest_id !== ''), 'a non-empty string');
  field('depends_on', o.depends_on === undefined || (Array.isArray(o.depends_on) && o.depends_on.every((d) => typeof d === 'string')), 'an array of subrequest ids');
  field('required', o.required === undefined || typeof o.required === 'boolean', 'a boolean');
  field('arbitration_group', o.arbitration_group === undefined || o.arbitration_group === null || typeof o.arbitration_group === 'string', 'a string or null');
  field('arbitration_priority', o.arbitration_priority === undefined || (typeof o.arbitration_priority === 'number' && Number.isFinite(o.arbitration_priority)), 'a finite number');
  return {
    subrequest_id: (o.subrequest_id as string | undefined) ?? `sr-${n}`,
    segment_id: `seg-${n}`,
    butler: e.butler,
    prompt: e.prompt,
    depends_on: [...((o.depends_on as string[] | undefined) ?? [])],
    run_if,
    required: (o.required as boolean | undefined) ?? true,
    arbitration_group: (o.arbitration_group as string | null | undefined) ?? null,
    arbitration_priority: (o.arbitration_priority as number | undefined) ?? 0,
  };
}

function overridesByIndex(overrides: FanoutOverrides | undefined, count: number): Map<number, FanoutOverride> {
  const map = new Map<number, FanoutOverride>();
  if (overrides === undefined || overrides === null) return map;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined || value === null) continue;
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new PlanError('invalid_override', `overrides key "${key}" is not an entry index (0..${count - 1})`);
    }
    if (typeof value !== 'object') throw new PlanError('invalid_override', `overrides[${key}] must be an object`);
    map.set(index, value);
  }
  return map;
}

function checkUniqueIds(subrequests: FanoutSubrequestPlan[]): void {
  const seen = new Set<string>();
  for (const s of subrequests) {
    if (seen.has(s.subrequest_id)) {
      throw new PlanError('duplicate_subrequest_id', `subrequest id "${s.subrequest_id}" is used more than once`);
    }
    seen.add(s.subrequest_id);
  }
}

function checkDependenciesExist(subrequests: FanoutSubrequestPlan[]): void {
  const ids = new Set(subrequests.map((s) => s.subrequest_id));
  for (const s of subrequests) {
    const missing = s.depends_on.find((d) => !ids.has(d));
    if (missing !== undefined) {
      throw new PlanError('unknown_dependency', `${s.subrequest_id} depends on "${missing}", which is not in the plan`);
    }
  }
}

/** Depth-first search with colours; a grey node reached again closes a cycle (a self-dependency included). */
function checkAcyclic(subrequests: FanoutSubrequestPlan[]): void {
  const deps = new Map(subrequests.map((s) => [s.subrequest_id, s.depends_on]));
  const colour = new Map<string, 'grey' | 'black'>();
  const visit = (id: string, trail: string[]): void => {
    if (colour.get(id) === 'black') return;
    if (colour.get(id) === 'grey') {
      const cycle = [...trail.slice(trail.indexOf(id)), id].join(' -> ');
      throw new PlanError('dependency_cycle', `Dependency cycle: ${cycle}`);
    }
    colour.set(id, 'grey');
    for (const d of deps.get(id) ?? []) visit(d, [...trail, id]);
    colour.set(id, 'black');
  };
  for (const s of subrequests) visit(s.subrequest_id, []);
}

function checkOrdering(subrequests: FanoutSubrequestPlan[]): void {
  const position = new Map(subrequests.map((s, i) => [s.subrequest_id, i]));
  subrequests.forEach((s, i) => {
    const late = s.depends_on.find((d) => (position.get(d) ?? Infinity) >= i);
    if (late !== undefined) {
      throw new PlanError('ordering_violation', `In ordered mode ${s.subrequest_id} may only depend on earlier subrequests, not "${late}"`);
    }
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
