import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { ROUTE_CONTRACT_VERSION, type RouteError } from '../../../contracts/route-result.ts';
import { callTarget } from './call-target.ts';
import { ClientCache } from './client-cache.ts';
import { registryStore, type RegistryEntry, type RoutingLogRow } from './registry-store.ts';
import { checkRouteChain, readRouteChain, ROUTE_CHAIN_META } from './route-chain.ts';
import { startSpan, type Span } from '../trace/span.ts';
import { meter } from '../trace/telemetry.ts';
import type { HealthCheckEntry, HealthCheckRequest, RouteOrigin, RouteOutcome, RouteRequest, Router, RouterSettings } from './types.ts';

export interface RouterOptions {
  db: Pool;
  log: Logger;
  settings: RouterSettings;
  clientName: string;
  version: string;
  /** Idle time before a cached client is pinged; 30 s by the spec, shorter in tests. */
  idlePingMs?: number;
}

// Background routes (a first_success dispatch's stragglers) get a short grace; the daemon already drained tool calls.
const CLOSE_WAIT_MS = 3_000;
const round = (ms: number) => Math.round(ms * 10) / 10;

function statusOf(error: RouteError): RoutingLogRow['status'] {
  return error === 'target_unavailable' || error === 'target_quarantined' || error === 'timeout' ? error : 'error';
}

/** The switchboard router (docs/ecosystem.md §8.5): every call is checked, timed, logged in `routing_log` and reported as a RouteResult. */
export function createRouter(o: RouterOptions): Router {
  const store = registryStore(o.db);
  const cache = new ClientCache({
    clientName: o.clientName,
    version: o.version,
    idlePingMs: o.idlePingMs,
    maxResponseBytes: o.settings.max_response_bytes,
    onStale: (url, target, reason) =>
      o.log.warn({ event: 'route.client_stale', target_butler: target, endpoint_url: url, reason }, `cached client for ${target} was stale: ${reason}`),
  });
  const inflight = new Set<Promise<unknown>>();
  const s = o.settings;
  // Switchboard metrics (docs/ecosystem.md §15.3); no-ops when telemetry is off.
  const routeDuration = meter().createHistogram('switchboard.route.duration_ms', { description: 'per-target routing latency', unit: 'ms' });
  const routeErrors = meter().createCounter('switchboard.route.errors', { description: 'routing failures by kind' });

  /** The client span of one route; its traceparent is what the target continues. */
  const routeSpan = (meta: Record<string, unknown>, target: string, tool: string, origin: string): { span: Span; trace: { traceId: string; traceparent: string; tracestate?: string } } => {
    const span = startSpan('switchboard.route', typeof meta.traceparent === 'string' ? meta.traceparent : undefined, { target_butler: target, tool_name: tool, origin }, { kind: 'client' });
    const tracestate = typeof meta.tracestate === 'string' && typeof meta.traceparent === 'string' ? meta.tracestate : undefined;
    return { span, trace: { traceId: span.context.traceId, traceparent: span.traceparent, ...(tracestate ? { tracestate } : {}) } };
  };
  const recordRoute = (span: Span, target: string, status: string, durationMs: number, failure?: { error: string; error_class: string }) => {
    routeDuration.record(durationMs, { target_butler: target, status });
    if (failure) routeErrors.add(1, { target_butler: target, error_class: failure.error_class });
    span.setAttributes({ 'route.status': status, 'route.duration_ms': durationMs, ...(failure ? { 'route.error': failure.error, 'route.error_class': failure.error_class } : {}) });
    span.end(failure ? { error: `${failure.error} (${failure.error_class})` } : undefined);
  };

  const track = <T>(p: Promise<T>): Promise<T> => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p)).catch(() => undefined);
    return p;
  };

  async function countFailure(entry: RegistryEntry, error: string, errorClass: string, log: Logger): Promise<void> {
    const reason = `${s.quarantine_after_failures} consecutive failures; last: ${error} (${errorClass})`;
    const r = await store.markFailure(entry.name, s.quarantine_after_failures, reason);
    if (r?.quarantined) {
      log.warn({ event: 'registry.quarantined', target_butler: entry.name, consecutive_failures: r.failures, reason }, `${entry.name} quarantined: ${reason}`);
    }
  }

  async function doRoute(req: RouteRequest): Promise<RouteOutcome> {
    const started = performance.now();
    const log = req.log ?? o.log;
    const meta = req.meta ?? {};
    const origin: RouteOrigin = req.origin ?? 'operator';
    const { span, trace } = routeSpan(meta, req.target, req.tool, origin);
    const chain = readRouteChain(meta);
    const timeoutMs = req.timeoutMs ?? s.route_timeout_ms;
    const deadline = Date.now() + timeoutMs;
    const fields = {
      target_butler: req.target, tool_name: req.tool, origin, request_id: req.requestId ?? null,
      subrequest_id: req.subrequestId ?? null, tag: req.tag ?? null, trace_id: trace.traceId,
    };
    let entry: RegistryEntry | null = null;
    let preflight = false;
    let usedClient = false;
    let fresh = false;

    /** `seen`: the target answered, so its registry entry is marked seen in the same round trip as the log row. */
    const finish = async (r: { ok: true; result: unknown } | { ok: false; error: RouteError; error_class: string; message: string; target_error?: unknown }, seen?: string): Promise<RouteOutcome> => {
      const duration_ms = round(performance.now() - started);
      const version = entry?.route_contract_version ?? null;
      const status = r.ok ? 'success' : statusOf(r.error);
      recordRoute(span, req.target, status, duration_ms, r.ok ? undefined : r);
      const row: RoutingLogRow = {
        request_id: fields.request_id, subrequest_id: fields.subrequest_id, origin, target_butler: req.target, tool_name: req.tool, status,
        error_class: r.ok ? null : r.error_class, error_message: r.ok ? null : r.message, client_reused: usedClient && !fresh, preflight,
        route_contract_version: version, duration_ms, trace_id: trace.traceId, tag: fields.tag,
      };
      // Marking the target seen failing fails the route, as it always did; a lost log row alone does not.
      if (seen !== undefined) await store.logSeen(row, seen);
      else await store.log(row).catch((err: unknown) => log.error({ event: 'route.log_failed', ...fields, error: (err as Error).message }, 'writing the routing_log row failed'));
      const client = fresh ? 'new' : 'cached';
      log.info(
        { event: 'route.result', ...fields, status, duration_ms, preflight, ...(usedClient ? { client } : {}), ...(r.ok ? {} : { error: r.error, error_class: r.error_class }) },
        `route ${req.target}.${req.tool}: ${status}`,
      );
      if (r.ok) return { ok: true, result: r.result, duration_ms, client, route_contract_version: version ?? ROUTE_CONTRACT_VERSION, preflight };
      log.error({ event: 'route.failed', ...fields, status, error: r.error, error_class: r.error_class, message: r.message, duration_ms }, `route ${req.target}.${req.tool} failed: ${r.message}`);
      return { ok: false, error: r.error, error_class: r.error_class, message: r.message, duration_ms, preflight, ...(r.target_error !== undefined ? { target_error: r.target_error } : {}) };
    };
    const fail = (error: RouteError, message: string, error_class: string = error) => finish({ ok: false, error, error_class, message });

    const chainProblem = checkRouteChain(chain, req.target, s.max_route_depth);
    if (chainProblem) return fail(chainProblem.error, chainProblem.message);
    entry = await store.lookup(req.target);
    if (!entry) return fail('unknown_target', `no butler named "${req.target}" in the registry; registry_list shows the known ones`);
    if (entry.eligibility_state !== 'active') {
      return fail('target_quarantined', `${req.target} is ${entry.eligibility_state}; registry_health_check or registry_set_eligibility re-activates it`);
    }
    if (entry.route_contract_version !== ROUTE_CONTRACT_VERSION) {
      log.warn(
        { event: 'route.contract_version_mismatch', ...fields, route_contract_version: entry.route_contract_version, expected: ROUTE_CONTRACT_VERSION },
        `${req.target} speaks route contract ${entry.route_contract_version}, this router ${ROUTE_CONTRACT_VERSION}; routing anyway`,
      );
    }
    const outMeta: Record<string, unknown> = {
      traceparent: trace.traceparent,
      ...(trace.tracestate ? { tracestate: trace.tracestate } : {}),
      [ROUTE_CHAIN_META]: [...chain, req.target],
    };
    const call = { url: entry.endpoint_url, target: req.target, meta: outMeta, deadline, timeoutMs, log };
    const seenAt = entry.last_seen_at ? new Date(entry.last_seen_at).getTime() : 0;
    if (Date.now() - seenAt > s.stale_after_s * 1000) {
      preflight = true;
      usedClient = true;
      const pre = await callTarget(cache, { ...call, tool: 'status', args: {} });
      fresh ||= pre.fresh;
      if (!pre.ok) {
        await countFailure(entry, 'target_unavailable', pre.failure.error_class, log);
        return fail('target_unavailable', `pre-flight status call to stale ${req.target} failed: ${pre.failure.message}`, pre.failure.error_class);
      }
      await store.markSeen(entry.name);
    }
    usedClient = true;
    const res = await callTarget(cache, { ...call, tool: req.tool, args: req.args ?? {} });
    fresh ||= res.fresh;
    if (res.ok) return finish({ ok: true, result: res.result }, entry.name);
    if (res.failure.counts) await countFailure(entry, res.failure.error, res.failure.error_class, log);
    return finish({ ok: false, error: res.failure.error, error_class: res.failure.error_class, message: res.failure.message, target_error: res.targetError });
  }

  async function checkOne(e: RegistryEntry, req: HealthCheckRequest): Promise<HealthCheckEntry> {
    const started = performance.now();
    const log = req.log ?? o.log;
    const { span, trace } = routeSpan(req.meta ?? {}, e.name, 'status', req.origin ?? 'operator');
    span.setAttributes({ 'route.health_check': true });
    const timeoutMs = req.timeoutMs ?? Math.min(s.route_timeout_ms, 10_000);
    const res = await callTarget(cache, {
      url: e.endpoint_url, target: e.name, tool: 'status', args: {}, deadline: Date.now() + timeoutMs, timeoutMs, log,
      meta: { traceparent: trace.traceparent, [ROUTE_CHAIN_META]: [...readRouteChain(req.meta), e.name] },
    });
    let state = e.eligibility_state;
    let reactivated = false;
    if (res.ok) {
      reactivated = (await store.reactivate(e.name)) === 'quarantined';
      state = 'active';
      if (reactivated) log.info({ event: 'registry.reactivated', target_butler: e.name, trace_id: trace.traceId }, `${e.name} answered status and is active again`);
    } else if (e.eligibility_state === 'active' && res.failure.counts) {
      await countFailure(e, res.failure.error, res.failure.error_class, log);
      state = (await store.lookup(e.name))?.eligibility_state ?? state;
    }
    const duration_ms = round(performance.now() - started);
    const status = res.ok ? 'success' : statusOf(res.failure.error);
    recordRoute(span, e.name, status, duration_ms, res.ok ? undefined : res.failure);
    await store
      .log({
        request_id: req.requestId ?? null, subrequest_id: null, origin: req.origin ?? 'operator', target_butler: e.name, tool_name: 'status', status,
        error_class: res.ok ? null : res.failure.error_class, error_message: res.ok ? null : res.failure.message, client_reused: !res.fresh,
        preflight: false, route_contract_version: e.route_contract_version, duration_ms, trace_id: trace.traceId, tag: req.tag ?? null,
      })
      .catch((err: unknown) => log.error({ event: 'route.log_failed', target_butler: e.name, error: (err as Error).message }, 'writing the routing_log row failed'));
    log.info({ event: 'route.result', target_butler: e.name, tool_name: 'status', origin: req.origin ?? 'operator', status, duration_ms, health_check: true, trace_id: trace.traceId }, `health check ${e.name}: ${status}`);
    if (!res.ok) {
      log.warn({ event: 'registry.health_check_failed', target_butler: e.name, error: res.failure.error, error_class: res.failure.error_class, eligibility_state: state }, `health check of ${e.name} failed: ${res.failure.message}`);
    }
    return {
      name: e.name, ok: res.ok, previous_state: e.eligibility_state, eligibility_state: state, reactivated, duration_ms,
      ...(res.ok ? {} : { error: res.failure.error, error_class: res.failure.error_class, message: res.failure.message }),
    };
  }

  return {
    route: (req) => track(doRoute(req)),
    async healthCheck(req = {}) {
      const entries = await store.forHealthCheck(req.names, s.stale_after_s);
      const missing = (req.names ?? []).filter((n) => !entries.some((e) => e.name === n));
      const checked = await track(Promise.all(entries.map((e) => checkOne(e, req))));
      return [
        ...checked,
        ...missing.map((name) => ({
          name, ok: false, previous_state: 'unknown', eligibility_state: 'unknown', reactivated: false, duration_ms: 0,
          error: 'unknown_target', error_class: 'unknown_target', message: `no butler named "${name}" in the registry`,
        })),
      ];
    },
    status: () => ({ cached_clients: cache.size }),
    async clearCache(target) {
      const n = await cache.clear(target === undefined ? undefined : cache.urlsOf(target));
      o.log.info({ event: 'route.cache_cleared', target_butler: target ?? null, cleared: n }, `dropped ${n} cached MCP client(s)`);
      return n;
    },
    async close() {
      if (inflight.size > 0) {
        await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
      }
      return cache.close();
    },
  };
}
