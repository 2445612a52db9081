/** Whole-suite budget when neither `E2E_BUDGET_USD` nor the reporter option sets one. */
export const DEFAULT_SUITE_BUDGET_USD = 1.0;
/** The functional core (smoke + flows) must stay under this in a live run. */
export const DEFAULT_CORE_BUDGET_USD = 0.2;
export const DEFAULT_CORE_PROJECTS: readonly string[] = ['smoke', 'flows'];
/**
 * Prompt bloat guard: no session may read more than this many input tokens
 * (uncached + cache writes + cache reads), and a test attempt no more than
 * this many per session it ran (a one-session test: exactly this many).
 */
export const MAX_TEST_INPUT_TOKENS = 10_000;

/** The budgets a live run is held to. */
export interface BudgetLimits {
  suiteUsd: number;
  /** Where `suiteUsd` came from, named in messages: `E2E_BUDGET_USD`, `option budgetUsd` or `default`. */
  suiteSource: string;
  coreUsd: number;
  coreProjects: readonly string[];
  maxTestInputTokens: number;
}

export interface BudgetOptions {
  budgetUsd?: number;
  coreBudgetUsd?: number;
  coreProjects?: string[];
  maxTestInputTokens?: number;
}

/**
 * Resolves the limits as env > option > default. A malformed value is a
 * warning and the next layer is used: a typo must not disable the guard.
 */
export function resolveBudgetLimits(
  options: BudgetOptions,
  env: NodeJS.ProcessEnv = process.env,
): { limits: BudgetLimits; warnings: string[] } {
  const warnings: string[] = [];
  const positive = (value: unknown, what: string): number | undefined => {
    if (value === undefined || value === '') return undefined;
    const n = typeof value === 'number' ? value : Number(value);
    if (Number.isFinite(n) && n >= 0) return n;
    warnings.push(`${what} must be a non-negative number of USD, got ${JSON.stringify(value)}; ignoring it`);
    return undefined;
  };
  const fromEnv = positive(env.E2E_BUDGET_USD, 'E2E_BUDGET_USD');
  const fromOption = positive(options.budgetUsd, 'cost reporter option budgetUsd');
  const [suiteUsd, suiteSource] =
    fromEnv !== undefined
      ? [fromEnv, 'E2E_BUDGET_USD']
      : fromOption !== undefined
        ? [fromOption, 'option budgetUsd']
        : [DEFAULT_SUITE_BUDGET_USD, 'default'];
  const limits: BudgetLimits = {
    suiteUsd,
    suiteSource,
    coreUsd: positive(options.coreBudgetUsd, 'cost reporter option coreBudgetUsd') ?? DEFAULT_CORE_BUDGET_USD,
    coreProjects: options.coreProjects ?? DEFAULT_CORE_PROJECTS,
    maxTestInputTokens: positive(options.maxTestInputTokens, 'cost reporter option maxTestInputTokens') ?? MAX_TEST_INPUT_TOKENS,
  };
  return { limits, warnings };
}

/** One budget compared with what was spent. */
export interface BudgetCheck {
  name: 'suite' | 'smoke+flows' | 'test-input-tokens' | 'session-input-tokens';
  limit: number;
  actual: number;
  exceeded: boolean;
  /** True only for live spend; synthetic (double) totals are reported, never enforced. */
  enforced: boolean;
  message: string;
}

export const usd = (n: number): string => `$${n.toFixed(4)}`;
export const int = (n: number): string => n.toLocaleString('en-US');

export function suiteBudget(limits: BudgetLimits, totalUsd: number, enforced: boolean): BudgetCheck {
  const exceeded = totalUsd > limits.suiteUsd;
  return {
    name: 'suite',
    limit: limits.suiteUsd,
    actual: totalUsd,
    exceeded,
    enforced,
    message: `whole-suite budget ${usd(limits.suiteUsd)} (${limits.suiteSource}) ${exceeded ? 'exceeded' : 'kept'}: total ${usd(totalUsd)}`,
  };
}

export function coreBudget(limits: BudgetLimits, coreUsd: number, enforced: boolean): BudgetCheck {
  const exceeded = coreUsd > limits.coreUsd;
  return {
    name: 'smoke+flows',
    limit: limits.coreUsd,
    actual: coreUsd,
    exceeded,
    enforced,
    message: `${limits.coreProjects.join('+')} budget ${usd(limits.coreUsd)} ${exceeded ? 'exceeded' : 'kept'}: total ${usd(coreUsd)}`,
  };
}

/**
 * The per-test input-token limit for one attempt. The cost fixture uses it
 * too (OBS-24): live → the test fails naming the limit; double → a warning.
 * The limit is per session: a test that fans out to `sessions` sessions by
 * design (a heartbeat tick reaching every butler) may read that many prompts;
 * each of them is also held to the limit on its own (`sessionTokenBudget`).
 */
export function testTokenBudget(
  title: string,
  inputTokens: number,
  mode: 'double' | 'live',
  limit: number = MAX_TEST_INPUT_TOKENS,
  sessions = 1,
): BudgetCheck {
  const n = Math.max(1, Math.floor(sessions));
  const scaled = limit * n;
  const exceeded = inputTokens > scaled;
  const what = n === 1 ? `${int(limit)} input tokens` : `${int(limit)} input tokens per session (${n} sessions: ${int(scaled)})`;
  return {
    name: 'test-input-tokens',
    limit: scaled,
    actual: inputTokens,
    exceeded,
    enforced: mode === 'live',
    message: `per-test limit of ${what} ${exceeded ? 'exceeded' : 'kept'}: ${title} used ${int(inputTokens)}`,
  };
}

/** The same limit for one session: what a single model conversation read, cached or not. */
export function sessionTokenBudget(
  title: string,
  session: { butler: string; session_id: string },
  inputTokens: number,
  mode: 'double' | 'live',
  limit: number = MAX_TEST_INPUT_TOKENS,
): BudgetCheck {
  const exceeded = inputTokens > limit;
  return {
    name: 'session-input-tokens',
    limit,
    actual: inputTokens,
    exceeded,
    enforced: mode === 'live',
    message: `per-session limit of ${int(limit)} input tokens ${exceeded ? 'exceeded' : 'kept'}: ${title}, ${session.butler} session ${session.session_id} used ${int(inputTokens)}`,
  };
}
