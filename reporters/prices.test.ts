import { expect, test } from '@playwright/test';
import { CACHE_READ_MULTIPLIER, CACHE_WRITE_MULTIPLIER, costUsd, DEFAULT_MODEL, priceFor, PRICES, SEED_PRICE, seedCostUsd } from './prices.ts';
import { costAttachmentArgs, costAttachmentFrom, CostAttachment } from './cost-attachment.ts';
import { resolveBudgetLimits, sessionTokenBudget, testTokenBudget } from './budgets.ts';
import { summarizeCost } from './cost-summary.ts';

test.describe('prices', () => {
  test('Haiku 4.5 list price is the default: $1 / $5 per million tokens', () => {
    expect(PRICES[DEFAULT_MODEL]).toMatchObject({ inputPerMTok: 1, outputPerMTok: 5 });
    expect(costUsd(DEFAULT_MODEL, 1_000_000, 0)).toBe(1);
    expect(costUsd(DEFAULT_MODEL, 24_312, 6_847)).toBeCloseTo(0.058547, 9);
  });

  test('prompt-cache tokens: writes at 1.25× and reads at 0.1× of the input price', () => {
    expect([CACHE_WRITE_MULTIPLIER, CACHE_READ_MULTIPLIER]).toEqual([1.25, 0.1]);
    expect(costUsd(DEFAULT_MODEL, 0, 0, { cacheCreationTokens: 1_000_000 })).toBeCloseTo(1.25, 12);
    expect(costUsd(DEFAULT_MODEL, 0, 0, { cacheReadTokens: 1_000_000 })).toBeCloseTo(0.1, 12);
    // 2,000 uncached + 4,500 written + 9,000 read + 300 out = (2,000 + 5,625 + 900) × $1 + 300 × $5 per million.
    expect(costUsd(DEFAULT_MODEL, 2_000, 300, { cacheCreationTokens: 4_500, cacheReadTokens: 9_000 })).toBeCloseTo(0.010025, 12);
    expect(costUsd(DEFAULT_MODEL, 2_000, 300)).toBe(costUsd(DEFAULT_MODEL, 2_000, 300, {}));
  });

  test('seed figures stay available for comparison: $0.80 / $4', () => {
    expect(SEED_PRICE).toMatchObject({ inputPerMTok: 0.8, outputPerMTok: 4 });
    expect(seedCostUsd(25_000, 6_500)).toBeCloseTo(0.046, 9);
  });

  test('an unknown model falls back to the default price with a flag', () => {
    expect(priceFor('mystery-model')).toEqual({ model: 'mystery-model', price: PRICES[DEFAULT_MODEL], fallback: true });
    expect(priceFor(DEFAULT_MODEL).fallback).toBe(false);
    expect(costUsd('mystery-model', 1000, 1000)).toBe(costUsd(DEFAULT_MODEL, 1000, 1000));
  });
});

test.describe('cost attachment', () => {
  const row = (id: string, model: string, i: number | null, o: number | null) => ({
    butler_name: 'health', session_id: id, kind: 'task', model, input_tokens: i, output_tokens: o, api_requests: 1,
  });

  test('costAttachmentFrom sums sessions per model; null counters count as 0', () => {
    const att = costAttachmentFrom([row('a', 'm1', 10, 2), row('b', 'm1', 5, null), row('c', 'm2', null, 7)], 'live');
    expect(att).toMatchObject({ mode: 'live', calls: 3, api_requests: 3, input_tokens: 15, output_tokens: 9 });
    const noCache = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    expect(att.by_model).toEqual({ m1: { calls: 2, input_tokens: 15, output_tokens: 2, ...noCache }, m2: { calls: 1, input_tokens: 0, output_tokens: 7, ...noCache } });
    expect(att.sessions[0]).toEqual({ butler: 'health', session_id: 'a', kind: 'task', model: 'm1', input_tokens: 10, output_tokens: 2, ...noCache, api_requests: 1 });
    expect(CostAttachment.safeParse(att).success).toBe(true);
    const [name, options] = costAttachmentArgs(att);
    expect([name, options.contentType, JSON.parse(options.body)]).toEqual(['cost', 'application/json', att]);
  });

  test('the schema is strict and checks its totals', () => {
    const att = costAttachmentFrom([row('a', 'm1', 10, 2)], 'double');
    expect(CostAttachment.safeParse({ ...att, extra: 1 }).success).toBe(false);
    expect(CostAttachment.safeParse({ ...att, calls: 2 }).success).toBe(false);
    expect(CostAttachment.safeParse({ ...att, by_model: {} }).success).toBe(false);
    expect(CostAttachment.safeParse({ ...att, mode: 'fake' }).success).toBe(false);
  });

  test('a row that cannot be represented names the session and field', () => {
    expect(() => costAttachmentFrom([{ ...row('s-9', 'm', 1, 1), kind: 'chat' }], 'double')).toThrow(/session s-9 .*field kind/);
  });
});

test.describe('budgets', () => {
  test('OBS-24 a test using 10,001 input tokens: live fails naming the 10,000-token limit, double only warns', () => {
    const live = testTokenBudget('health-weight-log', 10_001, 'live');
    expect(live).toMatchObject({ exceeded: true, enforced: true, limit: 10_000 });
    expect(live.message).toContain('10,000 input tokens');
    expect(testTokenBudget('x', 10_001, 'double')).toMatchObject({ exceeded: true, enforced: false });
    expect(testTokenBudget('x', 10_000, 'live').exceeded).toBe(false);
  });

  test('the limit is per session: a fan-out test may read 10,000 per session, and every session is held to 10,000 on its own', () => {
    expect(testTokenBudget('x', 30_000, 'live', 10_000, 3)).toMatchObject({ exceeded: false, limit: 30_000 });
    const over = testTokenBudget('x', 30_001, 'live', 10_000, 3);
    expect(over).toMatchObject({ exceeded: true, limit: 30_000 });
    expect(over.message).toContain('10,000 input tokens per session (3 sessions: 30,000)');
    expect(sessionTokenBudget('x', { butler: 'health', session_id: 's-1' }, 10_001, 'double')).toMatchObject({ name: 'session-input-tokens', exceeded: true, enforced: false });
  });

  test('the guard counts cached input too (caching lowers the price, not what the model reads); the reporter prices cache tokens', () => {
    const row = { butler_name: 'health', session_id: 's-1', kind: 'task', model: DEFAULT_MODEL, api_requests: 2 };
    const att = costAttachmentFrom([{ ...row, input_tokens: 1_000, output_tokens: 100, cache_creation_input_tokens: 5_000, cache_read_input_tokens: 5_000 }], 'live');
    expect(att).toMatchObject({ input_tokens: 1_000, cache_creation_input_tokens: 5_000, cache_read_input_tokens: 5_000 });
    expect(att.by_model[DEFAULT_MODEL]).toEqual({ calls: 1, input_tokens: 1_000, output_tokens: 100, cache_creation_input_tokens: 5_000, cache_read_input_tokens: 5_000 });
    const { limits } = resolveBudgetLimits({}, {});
    const summary = summarizeCost([{ key: 'k', title: 't', project: 'flows', file: 'f', line: 1, retry: 0, attachment: att }], limits, 'live');
    expect(summary.totals.cost_usd).toBeCloseTo((1_000 + 5_000 * 1.25 + 5_000 * 0.1 + 100 * 5) / 1e6, 12);
    expect(summary.budgets.map((b) => [b.name, b.actual, b.exceeded])).toEqual([
      ['suite', summary.totals.cost_usd, false],
      ['smoke+flows', summary.totals.cost_usd, false],
      ['test-input-tokens', 11_000, true],
      ['session-input-tokens', 11_000, true],
    ]);
    // An attachment written before cache counters existed still parses, as zero cache tokens.
    const old = { ...att, sessions: att.sessions.map(({ cache_creation_input_tokens: _w, cache_read_input_tokens: _r, ...s }) => ({ ...s, input_tokens: 1_000 })) };
    const { cache_creation_input_tokens: _cw, cache_read_input_tokens: _cr, ...oldTotals } = old;
    const reparsed = CostAttachment.safeParse({ ...oldTotals, by_model: { [DEFAULT_MODEL]: { calls: 1, input_tokens: 1_000, output_tokens: 100 } } });
    expect(reparsed.success).toBe(true);
  });

  test('limits resolve env > option > default; a malformed env value warns and is ignored', () => {
    expect(resolveBudgetLimits({}, {}).limits).toMatchObject({ suiteUsd: 1, suiteSource: 'default', coreUsd: 0.2, maxTestInputTokens: 10_000 });
    expect(resolveBudgetLimits({ budgetUsd: 2 }, {}).limits).toMatchObject({ suiteUsd: 2, suiteSource: 'option budgetUsd' });
    expect(resolveBudgetLimits({ budgetUsd: 2 }, { E2E_BUDGET_USD: '0.5' }).limits).toMatchObject({ suiteUsd: 0.5, suiteSource: 'E2E_BUDGET_USD' });
    const bad = resolveBudgetLimits({ budgetUsd: 2 }, { E2E_BUDGET_USD: 'lots' });
    expect(bad.limits.suiteUsd).toBe(2);
    expect(bad.warnings).toEqual(['E2E_BUDGET_USD must be a non-negative number of USD, got "lots"; ignoring it']);
  });
});
