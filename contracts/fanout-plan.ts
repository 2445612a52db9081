import { z } from 'zod';

export const FANOUT_MODES = ['parallel', 'ordered', 'conditional'] as const;
export const JOIN_POLICIES = ['wait_for_all', 'first_success'] as const;
export const ABORT_POLICIES = ['continue', 'on_required_failure', 'on_any_failure'] as const;
export const RUN_IFS = ['success', 'completed', 'always'] as const;

export const FanoutMode = z.enum(FANOUT_MODES);
export const JoinPolicy = z.enum(JOIN_POLICIES);
export const AbortPolicy = z.enum(ABORT_POLICIES);
export const RunIf = z.enum(RUN_IFS);
export type FanoutMode = z.infer<typeof FanoutMode>;
export type JoinPolicy = z.infer<typeof JoinPolicy>;
export type AbortPolicy = z.infer<typeof AbortPolicy>;
export type RunIf = z.infer<typeof RunIf>;

/** One unit of work in a dispatch: a prompt for one butler, with its place in the dependency graph. */
export const FanoutSubrequestPlan = z.object({
  subrequest_id: z.string().min(1),
  segment_id: z.string().min(1),
  butler: z.string().min(1),
  prompt: z.string().min(1),
  depends_on: z.array(z.string()),
  run_if: RunIf,
  required: z.boolean(),
  arbitration_group: z.string().nullable(),
  arbitration_priority: z.number(),
});
export type FanoutSubrequestPlan = z.infer<typeof FanoutSubrequestPlan>;

/** A validated dispatch plan (docs/ecosystem.md §8.3); immutable once built. */
export const FanoutPlan = z.object({
  mode: FanoutMode,
  join_policy: JoinPolicy,
  abort_policy: AbortPolicy,
  subrequests: z.array(FanoutSubrequestPlan).min(1),
});
export type FanoutPlan = z.infer<typeof FanoutPlan>;

/** `dispatch`'s `policy` argument; values are checked by `buildFanoutPlan`, not here, so each gets its own code. */
export interface FanoutPolicyInput {
  mode?: unknown;
  join_policy?: unknown;
  abort_policy?: unknown;
}

/** Per-entry overrides of `dispatch`, addressed by 0-based entry index. */
export interface FanoutOverride {
  subrequest_id?: unknown;
  depends_on?: unknown;
  run_if?: unknown;
  required?: unknown;
  arbitration_group?: unknown;
  arbitration_priority?: unknown;
}

/** An array indexed like the entries, or an object keyed by the index as a string (JSON-friendly). */
export type FanoutOverrides =
  | ReadonlyArray<FanoutOverride | null | undefined>
  | Readonly<Record<string, FanoutOverride | null | undefined>>;

export const FANOUT_ERROR_CODES = [
  'invalid_fanout_mode',
  'invalid_join_policy',
  'invalid_abort_policy',
  'invalid_run_if',
  'invalid_entry',
  'invalid_override',
  'empty_plan',
  'duplicate_subrequest_id',
  'unknown_dependency',
  'dependency_cycle',
  'dependencies_require_ordered_or_conditional',
  'ordering_violation',
] as const;
export type FanoutErrorCode = (typeof FANOUT_ERROR_CODES)[number];

export type FanoutPlanBuild =
  | { ok: true; plan: FanoutPlan }
  | { ok: false; error: FanoutErrorCode; message: string };

/**
 * Outcome statuses; `running` only appears in a `first_success` dispatch that
 * returned while another subrequest was still in flight (it finishes in the background).
 */
export const SUBREQUEST_STATUSES = [
  'success',
  'error',
  'timeout',
  'target_unavailable',
  'target_quarantined',
  'skipped',
  'cancelled',
  'running',
] as const;

/** One subrequest's result as `dispatch` reports it (docs/ecosystem.md §8.3). */
export const SubrequestOutcome = z.object({
  subrequest_id: z.string(),
  butler: z.string(),
  status: z.enum(SUBREQUEST_STATUSES),
  error: z.string().nullable().optional(),
  session_id: z.string().uuid().nullable().optional(),
  output: z.string().nullable().optional(),
  duration_ms: z.number().nonnegative(),
});
export type SubrequestOutcome = z.infer<typeof SubrequestOutcome>;

/** Result of the switchboard's `dispatch` tool. */
export const DispatchResult = z.object({
  dispatch_id: z.string().uuid().nullable(),
  request_id: z.string().uuid().nullable(),
  plan: FanoutPlan,
  outcomes: z.array(SubrequestOutcome),
  aggregate: z.object({
    text: z.string(),
    method: z.enum(['none', 'single', 'synthesis', 'concatenation']),
    conflicts: z.array(z.unknown()),
  }),
});
export type DispatchResult = z.infer<typeof DispatchResult>;
