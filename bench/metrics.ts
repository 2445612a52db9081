// The bench's metrics: how each is normalised, compared and bounded.
// Thresholds named by the performance spec: classification p95 2×, cached
// route p95 3×, pipeline p95 1.5×, tokens mean 1.5×, session cost mean 2×.
// The others (not named by the spec) use 3× — see docs/performance.md.
import type { Compare } from './stats.ts';

export type Floor = 'mcp' | 'spawn';

export interface MetricDef {
  label: string;
  unit: 'ms' | 'tokens' | 'usd' | '/min' | '/s' | 'ratio';
  /** 'report' = shown, never compared with a baseline. */
  compare: Compare | 'report';
  threshold: number;
  /** The floor a latency is divided by (a throughput multiplied by). */
  floor?: Floor;
  /** Per-call target in double mode (this machine class); reported, not an exit condition. */
  target?: { max?: number; min?: number };
  /** Live-mode budget (performance spec); reported, not an exit condition. */
  budget?: number;
}

export const METRICS: Record<string, MetricDef> = {
  direct_tool: { label: 'direct tool (health measurement_log)', unit: 'ms', compare: 'latency', threshold: 3, floor: 'mcp', target: { max: 3 }, budget: 1000 },
  ingest: { label: 'ingest (switchboard)', unit: 'ms', compare: 'latency', threshold: 3, floor: 'mcp', target: { max: 3 } },
  route_cached: { label: 'route status, cached client', unit: 'ms', compare: 'latency', threshold: 3, floor: 'mcp', target: { max: 5 }, budget: 5000 },
  route_new: { label: 'route status, new client', unit: 'ms', compare: 'latency', threshold: 3, floor: 'mcp' },
  route_cached_new_ratio: { label: 'route cached/new (p50 ÷ p50)', unit: 'ratio', compare: 'report', threshold: 0, target: { max: 0.33 } },
  classification: { label: 'classification (classify)', unit: 'ms', compare: 'latency', threshold: 2, floor: 'spawn', budget: 10_000 },
  session_spawn_to_first_request: { label: 'session spawn → 1st model request', unit: 'ms', compare: 'latency', threshold: 3, floor: 'spawn', target: { max: 250 } },
  pipeline_session: { label: 'pipeline session portion (dispatch)', unit: 'ms', compare: 'latency', threshold: 3, floor: 'spawn', budget: 90_000 },
  full_pipeline: { label: 'full pipeline (ingest→dispatch)', unit: 'ms', compare: 'latency', threshold: 1.5, floor: 'spawn', target: { max: 600 }, budget: 120_000 },
  first_pipeline: { label: 'first pipeline after boot (cold; not in full_pipeline)', unit: 'ms', compare: 'report', threshold: 0, floor: 'spawn' },
  tokens_per_classification: { label: 'tokens per classification', unit: 'tokens', compare: 'mean', threshold: 1.5 },
  session_cost: { label: 'session cost per pipeline run', unit: 'usd', compare: 'mean', threshold: 2 },
  sessions_per_min_q10: { label: 'sessions/min, one butler, queue 10', unit: '/min', compare: 'throughput', threshold: 3, floor: 'spawn' },
  mcp_calls_per_s_c20: { label: 'MCP calls/s, 20 clients (status)', unit: '/s', compare: 'throughput', threshold: 3, floor: 'mcp' },
  mcp_calls_per_s_c100: { label: 'MCP calls/s, 100 clients (status)', unit: '/s', compare: 'throughput', threshold: 3, floor: 'mcp' },
};

/** Resource limits (issue 15): every daemon's RSS after the triggers, and its growth after warm-up. */
export const RSS_MAX_MB = 100;
export const RSS_GROWTH_MAX_PCT = 10;
