import type { Logger } from 'pino';
import type { RouteResult } from '../../../contracts/route-result.ts';

/** Who asked for a route; stored in `routing_log.origin`. */
export type RouteOrigin = 'dispatch' | 'heartbeat' | 'operator';

/** One call of one tool on one target butler (docs/ecosystem.md §8.5). */
export interface RouteRequest {
  /** Registry name of the target butler. */
  target: string;
  tool: string;
  args?: Record<string, unknown>;
  /** Whole-route budget (pre-flight, connect and call); default `switchboard.route_timeout_ms`. */
  timeoutMs?: number;
  requestId?: string | null;
  subrequestId?: string | null;
  tag?: string | null;
  origin?: RouteOrigin;
  /** `_meta` of the incoming call: `traceparent`, `tracestate`, `butlers/route_chain`. */
  meta?: Record<string, unknown>;
  /** Logger of the calling tool (binds tool and session); the router's own otherwise. */
  log?: Logger;
}

/** A RouteResult plus what the router knows beyond the contract (tolerated extra keys). */
export type RouteOutcome = RouteResult & {
  preflight?: boolean;
  /** The target's `{ error, message, details? }` when it answered `isError`. */
  target_error?: unknown;
};

/** One entry checked by `healthCheck`. */
export interface HealthCheckEntry {
  name: string;
  ok: boolean;
  previous_state: string;
  eligibility_state: string;
  reactivated: boolean;
  duration_ms: number;
  error?: string;
  error_class?: string;
  message?: string;
}

export interface HealthCheckRequest {
  /** Check exactly these names; default every quarantined or stale entry. */
  names?: string[];
  timeoutMs?: number;
  origin?: RouteOrigin;
  requestId?: string | null;
  tag?: string | null;
  meta?: Record<string, unknown>;
  log?: Logger;
}

/**
 * The switchboard router, shared by the pipeline tools as `ctx.services.router`.
 * It never throws for a routing problem: every outcome is a RouteResult.
 */
export interface Router {
  route(req: RouteRequest): Promise<RouteOutcome>;
  /** Calls `status` on quarantined and stale entries (or the named ones); success re-activates. */
  healthCheck(req?: HealthCheckRequest): Promise<HealthCheckEntry[]>;
  status(): { cached_clients: number };
  /** Drops cached clients: all, or those of one target (by registry name); returns how many. */
  clearCache(target?: string): Promise<number>;
  /** Waits briefly for in-flight routes, closes every client; returns how many cached clients it closed. */
  close(): Promise<number>;
}

/** The `[switchboard]` settings the router reads. */
export interface RouterSettings {
  quarantine_after_failures: number;
  stale_after_s: number;
  max_route_depth: number;
  route_timeout_ms: number;
  /** Largest answer the router reads from a target; a larger one is `malformed_response` / `response_too_large`. */
  max_response_bytes?: number;
}
