import { allInputTokens, TOKEN_KEYS, type CostAttachment } from './cost-attachment.ts';
import { coreBudget, sessionTokenBudget, suiteBudget, testTokenBudget, type BudgetCheck, type BudgetLimits } from './budgets.ts';
import { priceFor, priceTokens, SEED_PRICE } from './prices.ts';

/** One `cost` attachment of one test attempt, with where it came from. */
export interface CostRecord {
  /** Identity of the test that survives sharding and merging (project, file, title path). */
  key: string;
  title: string;
  project: string;
  file: string;
  line: number;
  retry: number;
  attachment: CostAttachment;
}

interface TokenCounts {
  /** Uncached input (the API's `input_tokens`). */
  input_tokens: number;
  output_tokens: number;
  /** Input written to the prompt cache, priced at 1.25× input. */
  cache_creation_input_tokens: number;
  /** Input read from the prompt cache, priced at 0.1× input. */
  cache_read_input_tokens: number;
}

interface Tokens extends TokenCounts {
  calls: number;
  api_requests: number;
}

const zeroTokens = (): TokenCounts => ({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });

/** Cost of one model's counters, cache writes and reads at their multiples of the input price. */
function priced(price: Parameters<typeof priceTokens>[0], t: TokenCounts): number {
  return priceTokens(price, t.input_tokens, t.output_tokens, { cacheCreationTokens: t.cache_creation_input_tokens, cacheReadTokens: t.cache_read_input_tokens });
}

/** Integer token sums per model; cost is derived from them, so totals do not depend on the order results arrive in. */
class Tally implements Tokens {
  calls = 0;
  api_requests = 0;
  input_tokens = 0;
  output_tokens = 0;
  cache_creation_input_tokens = 0;
  cache_read_input_tokens = 0;
  readonly byModel = new Map<string, TokenCounts & { calls: number }>();

  add(a: CostAttachment): void {
    this.calls += a.calls;
    this.api_requests += a.api_requests;
    for (const k of TOKEN_KEYS) this[k] += a[k];
    for (const [model, m] of Object.entries(a.by_model)) {
      const t = this.byModel.get(model) ?? { calls: 0, ...zeroTokens() };
      t.calls += m.calls;
      for (const k of TOKEN_KEYS) t[k] += m[k];
      this.byModel.set(model, t);
    }
  }

  costUsd(): number {
    let total = 0;
    for (const model of [...this.byModel.keys()].sort()) total += priced(priceFor(model).price, this.byModel.get(model)!);
    return round(total);
  }

  tokens(): Tokens & { cost_usd: number } {
    const { calls, api_requests, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens } = this;
    return { calls, api_requests, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens, cost_usd: this.costUsd() };
  }
}

const round = (n: number): number => Math.round(n * 1e9) / 1e9;

export type CostMode = 'double' | 'live' | 'mixed';

/** One row of the per-test table: every attempt of the test, summed. */
export interface CostTestRow extends Tokens {
  title: string;
  project: string;
  file: string;
  attempts: number;
  mode: CostMode;
  cost_usd: number;
}

/** What `cost-summary.json` holds. Deterministic for a given set of attachments. */
export interface CostSummary {
  mode: CostMode;
  synthetic: boolean;
  totals: Tokens & { tests: number; attempts: number; cost_usd: number; cost_usd_seed: number };
  by_model: Record<string, TokenCounts & { calls: number; cost_usd: number; priced_as_default: boolean }>;
  by_project: Record<string, Tokens & { cost_usd: number }>;
  tests: CostTestRow[];
  budgets: BudgetCheck[];
  warnings: string[];
  /** Tests that passed only on a retry (CI retries), by label; set by the reporter from the run's outcomes. */
  flaky?: { count: number; tests: string[] };
}

function modeOf(modes: Set<string>, fallback: 'double' | 'live'): CostMode {
  if (modes.size === 0) return fallback;
  if (modes.size > 1) return 'mixed';
  return modes.has('live') ? 'live' : 'double';
}

/**
 * Aggregates every attempt's attachments. Retries count: their tokens were
 * really spent. Budgets are evaluated on live spend only; synthetic (double)
 * figures are checked for information and never enforced.
 */
export function summarizeCost(
  records: readonly CostRecord[],
  limits: BudgetLimits,
  fallbackMode: 'double' | 'live',
  warnings: readonly string[] = [],
): CostSummary {
  const all = new Tally();
  const live = new Tally();
  const core = new Tally();
  const liveCore = new Tally();
  const projects = new Map<string, Tally>();
  const tests = new Map<string, { row: Omit<CostTestRow, keyof Tokens | 'cost_usd' | 'attempts' | 'mode'>; tally: Tally; modes: Set<string>; attempts: Set<number>; line: number }>();
  const attempts = new Map<string, { title: string; input: number; sessions: number; live: boolean; over: BudgetCheck[] }>();

  for (const r of records) {
    const a = r.attachment;
    const inCore = limits.coreProjects.includes(r.project);
    all.add(a);
    if (inCore) core.add(a);
    if (a.mode === 'live') {
      live.add(a);
      if (inCore) liveCore.add(a);
    }
    if (!projects.has(r.project)) projects.set(r.project, new Tally());
    projects.get(r.project)!.add(a);
    const t = tests.get(r.key) ?? { row: { title: r.title, project: r.project, file: r.file }, tally: new Tally(), modes: new Set(), attempts: new Set(), line: r.line };
    t.tally.add(a);
    t.modes.add(a.mode);
    t.attempts.add(r.retry);
    tests.set(r.key, t);
    const attemptKey = `${r.key}\u0000${r.retry}`;
    const attempt = attempts.get(attemptKey) ?? { title: `[${r.project}] ${r.title}${r.retry > 0 ? ` (retry ${r.retry})` : ''}`, input: 0, sessions: 0, live: false, over: [] };
    // The guard is on what the model read, cached or not (caching changes the price, not the prompt).
    attempt.input += allInputTokens(a);
    attempt.sessions += a.sessions.length;
    attempt.live ||= a.mode === 'live';
    for (const s of a.sessions) {
      const check = sessionTokenBudget(attempt.title, s, allInputTokens(s), a.mode, limits.maxTestInputTokens);
      if (check.exceeded) attempt.over.push(check);
    }
    attempts.set(attemptKey, attempt);
  }

  const modes = new Set(records.map((r) => r.attachment.mode));
  const mode = modeOf(modes, fallbackMode);
  const enforced = modes.has('live');
  const budgets: BudgetCheck[] = [
    suiteBudget(limits, enforced ? live.costUsd() : all.costUsd(), enforced),
    coreBudget(limits, (enforced ? liveCore : core).costUsd(), enforced),
  ];
  for (const key of [...attempts.keys()].sort()) {
    const attempt = attempts.get(key)!;
    const check = testTokenBudget(attempt.title, attempt.input, attempt.live ? 'live' : 'double', limits.maxTestInputTokens, attempt.sessions);
    if (check.exceeded) budgets.push(check);
    budgets.push(...attempt.over);
  }

  const rows = [...tests.values()]
    .sort((x, y) => cmp(x.row.project, y.row.project) || cmp(x.row.file, y.row.file) || x.line - y.line || cmp(x.row.title, y.row.title))
    .map((t) => ({ ...t.row, attempts: t.attempts.size, mode: modeOf(t.modes, fallbackMode), ...t.tally.tokens() }));

  const by_model: CostSummary['by_model'] = {};
  for (const model of [...all.byModel.keys()].sort()) {
    const t = all.byModel.get(model)!;
    const lookup = priceFor(model);
    by_model[model] = { ...t, cost_usd: round(priced(lookup.price, t)), priced_as_default: lookup.fallback };
  }
  const by_project: CostSummary['by_project'] = {};
  for (const project of [...projects.keys()].sort()) by_project[project] = projects.get(project)!.tokens();

  const priceWarnings = Object.entries(by_model)
    .filter(([, m]) => m.priced_as_default)
    .map(([model]) => `model "${model}" is not in reporters/prices.ts; priced as the default model`);

  return {
    mode,
    synthetic: mode !== 'live',
    totals: {
      tests: tests.size,
      attempts: attempts.size,
      ...all.tokens(),
      cost_usd_seed: round(priced(SEED_PRICE, all)),
    },
    by_model,
    by_project,
    tests: rows,
    budgets,
    warnings: [...warnings, ...priceWarnings],
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
