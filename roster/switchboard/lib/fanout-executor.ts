import type { FanoutPlan, FanoutSubrequestPlan, SubrequestOutcome } from '@butlers/framework/contracts';

/** How a subrequest that ran ended. */
export type RanStatus = 'success' | 'error' | 'timeout' | 'target_unavailable' | 'target_quarantined';

export interface RunResult {
  status: RanStatus;
  error?: string | null;
  error_class?: string | null;
  error_message?: string | null;
  session_id?: string | null;
  output?: string | null;
}

/** A finished subrequest with what the fanout log records beyond the outcome. */
export type Finished = SubrequestOutcome & { error_class: string | null; error_message: string | null; started_at: Date; finished_at: Date };

/** What the executor needs from the outside; hooks must not throw (they log their own problems). */
export interface ExecutorHooks {
  run(sub: FanoutSubrequestPlan): Promise<RunResult>;
  started(sub: FanoutSubrequestPlan, at: Date): Promise<void>;
  finished(sub: FanoutSubrequestPlan, f: Finished): Promise<void>;
  settled(sub: FanoutSubrequestPlan, status: 'skipped' | 'cancelled', reason: string): Promise<void>;
}

export interface Execution {
  /** In plan order, as of the moment the join policy let the dispatch return. */
  outcomes: SubrequestOutcome[];
  /** Resolves once every subrequest is terminal (in-flight ones after a `first_success` return). */
  background: Promise<void>;
}

type Status = 'pending' | 'running' | RanStatus | 'skipped' | 'cancelled';
interface State {
  sub: FanoutSubrequestPlan;
  status: Status;
  outcome?: SubrequestOutcome;
}

const FAILURE = new Set<Status>(['error', 'timeout', 'target_unavailable', 'target_quarantined']);
const terminal = (s: Status) => s !== 'pending' && s !== 'running';

/**
 * Runs a validated plan (docs/ecosystem.md §8.3). `parallel` starts everything;
 * `ordered` runs one at a time in plan order; `conditional` starts each
 * subrequest once its dependencies are terminal. A subrequest with
 * dependencies runs only when its `run_if` holds (in `ordered` mode too),
 * else it is `skipped`. Abort policies and a `first_success` join cancel
 * what has not started; what is in flight always finishes.
 */
export function executeFanout(plan: FanoutPlan, hooks: ExecutorHooks): Promise<Execution> {
  const states = plan.subrequests.map<State>((sub) => ({ sub, status: 'pending' }));
  const byId = new Map(states.map((s) => [s.sub.subrequest_id, s]));
  let stopStarting = false;
  let returned = false;
  let resolveReturn!: () => void;
  let resolveDone!: () => void;
  const returnNow = new Promise<void>((r) => (resolveReturn = r));
  const background = new Promise<void>((r) => (resolveDone = r));

  const runIfHolds = (st: State): { ok: boolean; reason: string } => {
    const deps = st.sub.depends_on.map((d) => byId.get(d)!);
    const list = deps.map((d) => `${d.sub.subrequest_id} ${d.status}`).join(', ');
    const ok =
      st.sub.run_if === 'always' ||
      (st.sub.run_if === 'success' ? deps.every((d) => d.status === 'success') : deps.every((d) => d.status !== 'skipped' && d.status !== 'cancelled'));
    return { ok, reason: `run_if ${st.sub.run_if} not met: ${list}` };
  };

  const decide = (st: State): 'start' | 'wait' | { skip: string } => {
    if (plan.mode === 'ordered' && states.some((s) => s.status === 'running')) return 'wait';
    if (st.sub.depends_on.some((d) => !terminal(byId.get(d)!.status))) return 'wait';
    if (st.sub.depends_on.length === 0) return 'start';
    const cond = runIfHolds(st);
    return cond.ok ? 'start' : { skip: cond.reason };
  };

  const settleOutcome = (st: State, status: 'skipped' | 'cancelled') => {
    st.status = status;
    st.outcome = { subrequest_id: st.sub.subrequest_id, butler: st.sub.butler, status, error: null, session_id: null, output: null, duration_ms: 0 };
  };

  async function pump(): Promise<void> {
    const settle: Array<[State, 'skipped' | 'cancelled', string]> = [];
    const start: State[] = [];
    for (let changed = true; changed; ) {
      changed = false;
      for (const st of states) {
        if (st.status !== 'pending') continue;
        if (stopStarting) {
          settleOutcome(st, 'cancelled');
          settle.push([st, 'cancelled', returned ? 'first_success: another subrequest already succeeded' : `abort_policy ${plan.abort_policy} after a failure`]);
          changed = true;
          continue;
        }
        const d = decide(st);
        if (d === 'wait') {
          if (plan.mode === 'ordered') break;
          continue;
        }
        if (d !== 'start') {
          settleOutcome(st, 'skipped');
          settle.push([st, 'skipped', d.skip]);
          changed = true;
          continue;
        }
        st.status = 'running';
        start.push(st);
        if (plan.mode === 'ordered') break;
      }
    }
    await Promise.all(settle.map(([st, status, reason]) => hooks.settled(st.sub, status, reason).catch(() => undefined)));
    for (const st of start) void runOne(st);
    if (states.every((s) => terminal(s.status))) {
      resolveReturn();
      resolveDone();
    }
  }

  async function runOne(st: State): Promise<void> {
    const startedAt = new Date();
    const t0 = performance.now();
    await hooks.started(st.sub, startedAt).catch(() => undefined);
    let r: RunResult;
    try {
      r = await hooks.run(st.sub);
    } catch (err) {
      r = { status: 'error', error: 'internal_error', error_class: 'internal_error', error_message: (err as Error).message };
    }
    const f: Finished = {
      subrequest_id: st.sub.subrequest_id, butler: st.sub.butler, status: r.status, error: r.error ?? null,
      session_id: r.session_id ?? null, output: r.output ?? null, duration_ms: Math.round((performance.now() - t0) * 10) / 10,
      error_class: r.error_class ?? null, error_message: r.error_message ?? null, started_at: startedAt, finished_at: new Date(),
    };
    await hooks.finished(st.sub, f).catch(() => undefined);
    const { error_class: _c, error_message: _m, started_at: _s, finished_at: _f, ...outcome } = f;
    st.status = r.status;
    st.outcome = outcome;
    const abort = plan.abort_policy === 'on_any_failure' || (plan.abort_policy === 'on_required_failure' && st.sub.required);
    if (FAILURE.has(r.status) && abort) stopStarting = true;
    const firstSuccess = r.status === 'success' && plan.join_policy === 'first_success' && !returned;
    if (firstSuccess) {
      stopStarting = true;
      returned = true;
    }
    await pump();
    if (firstSuccess) resolveReturn();
  }

  const snapshot = (): SubrequestOutcome[] =>
    states.map(
      (s) =>
        s.outcome ?? { subrequest_id: s.sub.subrequest_id, butler: s.sub.butler, status: 'running', error: null, session_id: null, output: null, duration_ms: 0 },
    );

  return pump().then(async () => {
    await returnNow;
    returned = true;
    return { outcomes: snapshot(), background };
  });
}
