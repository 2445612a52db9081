// Pure functions of the bench: nearest-rank percentiles, floor multiples,
// baseline parsing and comparison. No I/O here (bench/stats.test.ts covers it).

/** Smallest sample count a percentile is reported for (docs/performance.md, the bench). */
export const MIN_SAMPLES = 5;

/**
 * Nearest-rank percentile: the value at rank ⌈p/100 × n⌉ of the sorted
 * samples (1-based), so it is always one of the samples. p in (0, 100].
 */
export function nearestRank(samples: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  mean: number;
  min: number;
  max: number;
}

/** n, p50, p95 (nearest rank), mean, min, max; throws below MIN_SAMPLES. */
export function summarize(samples: readonly number[], minSamples = MIN_SAMPLES): Summary {
  if (samples.length < minSamples) throw new Error(`a percentile needs at least ${minSamples} samples, got ${samples.length}`);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    n: samples.length,
    p50: nearestRank(samples, 50),
    p95: nearestRank(samples, 95),
    mean: round(mean, 4),
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A latency as a multiple of the floor's p50 (dimensionless, holds across machines). */
export function floorMultiple(ms: number, floorP50Ms: number): number {
  if (!(floorP50Ms > 0)) throw new Error(`floor p50 must be positive, got ${floorP50Ms}`);
  return round(ms / floorP50Ms, 2);
}

/**
 * Each sample divided by its local floor: the median of the floor samples
 * nearest in time to it (indices at[i] − w … at[i] + w, clipped), so a load
 * that drifts during the run touches a sample and its floor alike while one
 * noisy floor call does not decide a ratio. at[i] is the index of the floor
 * sample taken just before sample i.
 */
export function localFloorMultiples(samples: readonly number[], at: readonly number[], floor: readonly number[], w = 2): number[] {
  if (samples.length !== at.length) throw new Error(`samples (${samples.length}) and floor indices (${at.length}) differ in length`);
  if (floor.length === 0) throw new Error('no floor samples');
  return samples.map((x, i) => {
    const c = Math.min(Math.max(at[i], 0), floor.length - 1);
    const win = floor.slice(Math.max(0, c - w), Math.min(floor.length, c + w + 1));
    return round(x / nearestRank(win, 50), 3);
  });
}

// ---------------------------------------------------------------------------
// Metrics and baselines

/** How a metric is compared with its baseline. */
export type Compare =
  /** A latency: p95 ÷ floor p50, higher is worse. */
  | 'latency'
  /** A throughput: value × floor p50, lower is worse (the ratio is baseline ÷ current). */
  | 'throughput'
  /** A quantity that needs no floor (tokens, dollars): mean, higher is worse. */
  | 'mean';

/** One measured figure as a run reports it and a baseline stores it. */
export interface MetricFigure {
  /** The compared statistic: p95 (latency), the value (throughput) or the mean (tokens, cost). */
  value: number;
  /** value ÷ floor p50 for a latency, value × floor p50 for a throughput; absent without a floor. */
  x_floor?: number;
  /** The factor value and x_floor were recorded with (baselines only); p50, p95 and mean are as measured. */
  headroom?: number;
  /** The p50's floor multiple (reported, not compared). */
  x_floor_p50?: number;
  p50?: number;
  p95?: number;
  mean?: number;
  n?: number;
}

export interface MetricSpec {
  compare: Compare;
  /** Regression when the ratio exceeds this. */
  threshold: number;
}

export interface Verdict {
  metric: string;
  status: 'OK' | 'REGRESSION' | 'NO BASELINE';
  /** current ÷ baseline (latency, mean) or baseline ÷ current (throughput); floor-normalised when both sides have x_floor. */
  ratio: number | null;
  normalised: boolean;
  threshold: number;
  baseline: number | null;
}

/**
 * Compares a figure with its baseline. Both sides floor-normalised when both
 * carry x_floor (so a slower machine does not trip it), otherwise absolute
 * (e.g. the spec's live baseline in milliseconds).
 */
export function compareFigure(metric: string, spec: MetricSpec, current: MetricFigure, baseline: MetricFigure | undefined): Verdict {
  if (!baseline) return { metric, status: 'NO BASELINE', ratio: null, normalised: false, threshold: spec.threshold, baseline: null };
  const normalised = spec.compare !== 'mean' && current.x_floor !== undefined && baseline.x_floor !== undefined;
  const cur = normalised ? current.x_floor! : current.value;
  const base = normalised ? baseline.x_floor! : baseline.value;
  let ratio: number;
  if (spec.compare === 'throughput') ratio = cur > 0 ? base / cur : Number.POSITIVE_INFINITY;
  else ratio = base > 0 ? cur / base : cur > 0 ? Number.POSITIVE_INFINITY : 1;
  ratio = round(ratio, 2);
  return { metric, status: ratio > spec.threshold ? 'REGRESSION' : 'OK', ratio, normalised, threshold: spec.threshold, baseline: base };
}

/** The sentence a regression exits with. */
export function regressionMessage(v: Verdict, spec: MetricSpec): string {
  const what = spec.compare === 'throughput' ? 'fell to 1/' : 'is ';
  const stat = spec.compare === 'latency' ? 'p95' : spec.compare === 'throughput' ? 'throughput' : 'mean';
  return `REGRESSION ${v.metric}: ${stat} ${what}${v.ratio}× its baseline${v.normalised ? ' (floor-normalised)' : ''}, threshold ${v.threshold}×`;
}

export interface Baseline {
  recorded_at?: string;
  /** The factor figures were recorded with (latencies and means ×, throughputs ÷); 1 = as measured. */
  headroom?: number;
  machine?: Record<string, unknown>;
  floors?: Record<string, number>;
  note?: string;
  metrics: Record<string, MetricFigure>;
}

export type BaselineFile = Record<string, Baseline>;

/** A readable error for bad input: the bench prints its message as one sentence, no stack. */
export class BenchInputError extends Error {}

/** Parses bench/baselines.json; every problem is one sentence naming the file and the place. */
export function parseBaselines(text: string, file = 'bench/baselines.json'): BaselineFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BenchInputError(`${file} is not valid JSON (${(err as Error).message}); fix it or delete it and run with --update-baseline.`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BenchInputError(`${file} must be a JSON object keyed by mode (e.g. "double", "live").`);
  const out: BaselineFile = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key.startsWith('$') || key.startsWith('_')) continue; // $comment, _note
    if (typeof value !== 'object' || value === null) throw new BenchInputError(`${file}: "${key}" must be an object with "metrics".`);
    const metrics = (value as { metrics?: unknown }).metrics;
    if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) throw new BenchInputError(`${file}: "${key}.metrics" must be an object of metric figures.`);
    for (const [name, fig] of Object.entries(metrics as Record<string, unknown>)) {
      const f = fig as Partial<MetricFigure> | null;
      if (typeof f !== 'object' || f === null || typeof f.value !== 'number' || !Number.isFinite(f.value)) {
        throw new BenchInputError(`${file}: "${key}.metrics.${name}.value" must be a number.`);
      }
      if (f.x_floor !== undefined && (typeof f.x_floor !== 'number' || !Number.isFinite(f.x_floor))) {
        throw new BenchInputError(`${file}: "${key}.metrics.${name}.x_floor" must be a number when present.`);
      }
    }
    out[key] = value as Baseline;
  }
  return out;
}

/** The baseline for a mode: "<mode>@<machine>" when a machine is named and present, else "<mode>". */
export function baselineKey(file: BaselineFile, mode: string, machine?: string): string | undefined {
  if (machine && file[`${mode}@${machine}`]) return `${mode}@${machine}`;
  return file[mode] ? mode : undefined;
}
