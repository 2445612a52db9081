import { expect, test } from '@playwright/test';
import { costUsd, DEFAULT_MODEL, priceFor, PRICES, SEED_PRICE, seedCostUsd } from './prices.ts';
import { costAttachmentArgs, costAttachmentFrom, CostAttachment } from './cost-attachment.ts';
import { resolveBudgetLimits, testTokenBudget } from './budgets.ts';

test.describe('prices', () => {
  test('Haiku 4.5 list price is the default: $1 / $5 per million tokens', () => {
    expect(PRICES[DEFAULT_MODEL]).toMatchObject({ inputPerMTok: 1, outputPerMTok: 5 });
    expect(costUsd(DEFAULT_MODEL, 1_000_000, 0)).toBe(1);
    expect(costUsd(DEFAULT_MODEL, 24_312, 6_847)).toBeCloseTo(0.058547, 9);
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
    expect(att.by_model).toEqual({ m1: { calls: 2, input_tokens: 15, output_tokens: 2 }, m2: { calls: 1, input_tokens: 0, output_tokens: 7 } });
    expect(att.sessions[0]).toEqual({ butler: 'health', session_id: 'a', kind: 'task', model: 'm1', input_tokens: 10, output_tokens: 2, api_requests: 1 });
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

  test('limits resolve env > option > default; a malformed env value warns and is ignored', () => {
    expect(resolveBudgetLimits({}, {}).limits).toMatchObject({ suiteUsd: 1, suiteSource: 'default', coreUsd: 0.2, maxTestInputTokens: 10_000 });
    expect(resolveBudgetLimits({ budgetUsd: 2 }, {}).limits).toMatchObject({ suiteUsd: 2, suiteSource: 'option budgetUsd' });
    expect(resolveBudgetLimits({ budgetUsd: 2 }, { E2E_BUDGET_USD: '0.5' }).limits).toMatchObject({ suiteUsd: 0.5, suiteSource: 'E2E_BUDGET_USD' });
    const bad = resolveBudgetLimits({ budgetUsd: 2 }, { E2E_BUDGET_USD: 'lots' });
    expect(bad.limits.suiteUsd).toBe(2);
    expect(bad.warnings).toEqual(['E2E_BUDGET_USD must be a non-negative number of USD, got "lots"; ignoring it']);
  });
});
