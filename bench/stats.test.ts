import { expect, test } from '@playwright/test';
import { BenchInputError, baselineKey, compareFigure, floorMultiple, localFloorMultiples, nearestRank, parseBaselines, regressionMessage, summarize } from './stats.ts';

test.describe('nearest-rank percentiles', () => {
  test('rank ⌈p/100 × n⌉ of the sorted samples, always one of the samples', () => {
    const xs = [15, 20, 35, 40, 50];
    expect(nearestRank(xs, 5)).toBe(15);
    expect(nearestRank(xs, 30)).toBe(20);
    expect(nearestRank(xs, 40)).toBe(20);
    expect(nearestRank(xs, 50)).toBe(35);
    expect(nearestRank(xs, 100)).toBe(50);
    // unsorted input, 10 samples: p95 → rank 10, p50 → rank 5
    const ten = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10];
    expect(nearestRank(ten, 95)).toBe(10);
    expect(nearestRank(ten, 50)).toBe(5);
    // 20 samples: p95 → rank 19
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(nearestRank(twenty, 95)).toBe(19);
  });

  test('bad input is refused', () => {
    expect(() => nearestRank([], 50)).toThrow('no samples');
    expect(() => nearestRank([1], 0)).toThrow('percentile');
    expect(() => nearestRank([1], 101)).toThrow('percentile');
  });

  test('summarize needs at least 5 samples and does not mutate them', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(summarize(xs)).toEqual({ n: 5, p50: 3, p95: 5, mean: 3, min: 1, max: 5 });
    expect(xs).toEqual([5, 1, 4, 2, 3]);
    expect(() => summarize([1, 2, 3, 4])).toThrow('at least 5 samples');
  });
});

test('floor multiple divides by the floor p50 and refuses a zero floor', () => {
  expect(floorMultiple(30, 1.5)).toBe(20);
  expect(() => floorMultiple(30, 0)).toThrow('floor');
});

test('local floor multiples divide by the median of the nearest floor samples', () => {
  const floor = [1, 1, 10, 1, 1, 4, 4, 4, 4, 4];
  // sample 0 near floor index 0: window [1,1,10] → median 1; sample 1 at index 7: window [4,4,4,4,4] → 4
  expect(localFloorMultiples([3, 12], [0, 7], floor)).toEqual([3, 3]);
  // one outlier floor call (10 at index 2) does not decide the ratio: window [1,1,10,1,1] → 1
  expect(localFloorMultiples([5], [2], floor)).toEqual([5]);
  // indices past the end are clipped
  expect(localFloorMultiples([8], [99], floor)).toEqual([2]);
  expect(() => localFloorMultiples([1, 2], [0], floor)).toThrow('differ in length');
});

test.describe('baseline comparison', () => {
  const latency = { compare: 'latency' as const, threshold: 3 };
  test('a latency compares floor multiples when both sides have them: a slower machine does not trip it', () => {
    // the same code on a machine twice as slow: ms doubles, the floor doubles too
    const v = compareFigure('direct_tool', latency, { value: 6, x_floor: 4 }, { value: 3, x_floor: 4 });
    expect(v).toMatchObject({ status: 'OK', ratio: 1, normalised: true });
  });
  test('a 3.5× slower tool on the same floor is a regression and the message names metric and ratio', () => {
    const v = compareFigure('direct_tool', latency, { value: 10.5, x_floor: 14 }, { value: 3, x_floor: 4 });
    expect(v).toMatchObject({ status: 'REGRESSION', ratio: 3.5 });
    expect(regressionMessage(v, latency)).toBe('REGRESSION direct_tool: p95 is 3.5× its baseline (floor-normalised), threshold 3×');
  });
  test('without a floor on one side the absolute figures are compared (the spec\'s live baseline)', () => {
    const v = compareFigure('classification', { compare: 'latency', threshold: 2 }, { value: 9000, x_floor: 200 }, { value: 4200 });
    expect(v).toMatchObject({ status: 'REGRESSION', ratio: 2.14, normalised: false });
  });
  test('throughput: the ratio is baseline ÷ current, so a drop to a quarter is 4×', () => {
    const spec = { compare: 'throughput' as const, threshold: 3 };
    const v = compareFigure('mcp_calls_per_s_c20', spec, { value: 100, x_floor: 0.25 }, { value: 400, x_floor: 1 });
    expect(v).toMatchObject({ status: 'REGRESSION', ratio: 4 });
    expect(regressionMessage(v, spec)).toContain('throughput fell to 1/4×');
    expect(compareFigure('x', spec, { value: 500, x_floor: 1.2 }, { value: 400, x_floor: 1 }).status).toBe('OK');
  });
  test('means (tokens, cost) never use a floor; exactly at the threshold is still OK', () => {
    const spec = { compare: 'mean' as const, threshold: 1.5 };
    expect(compareFigure('tokens', spec, { value: 150, x_floor: 9 }, { value: 100, x_floor: 1 })).toMatchObject({ status: 'OK', ratio: 1.5, normalised: false });
    expect(compareFigure('tokens', spec, { value: 151 }, { value: 100 }).status).toBe('REGRESSION');
  });
  test('no baseline for a metric is reported, not failed', () => {
    expect(compareFigure('new_metric', latency, { value: 1 }, undefined).status).toBe('NO BASELINE');
  });
});

test.describe('baselines.json', () => {
  test('keyed by mode, optionally mode@machine; $comment keys are skipped', () => {
    const file = parseBaselines(JSON.stringify({ $comment: 'x', double: { metrics: { a: { value: 1, x_floor: 2 } } }, 'double@ci': { metrics: {} } }));
    expect(Object.keys(file)).toEqual(['double', 'double@ci']);
    expect(baselineKey(file, 'double')).toBe('double');
    expect(baselineKey(file, 'double', 'ci')).toBe('double@ci');
    expect(baselineKey(file, 'double', 'laptop')).toBe('double');
    expect(baselineKey(file, 'live')).toBeUndefined();
  });
  test('malformed input is one sentence naming the place', () => {
    expect(() => parseBaselines('{nope')).toThrow(BenchInputError);
    expect(() => parseBaselines('{nope')).toThrow(/^bench\/baselines\.json is not valid JSON/);
    expect(() => parseBaselines('[]')).toThrow('keyed by mode');
    expect(() => parseBaselines('{"double": {}}')).toThrow('"double.metrics" must be an object');
    expect(() => parseBaselines('{"double": {"metrics": {"a": {"value": "3"}}}}')).toThrow('"double.metrics.a.value" must be a number');
  });
});
