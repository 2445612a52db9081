import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { startSpan } from '../trace/span.ts';
import { isToolNotFound, type SwitchboardClient } from './switchboard-client.ts';

/** One target of a routing task, as the tick result shows it. */
export interface TargetOutcome {
  butler: string;
  ok: boolean;
  error?: string;
  session_id?: string;
}

export interface RoutingTaskInput {
  name: string;
  prompt: string;
  target: string;
}

export interface RoutingTaskOptions {
  client: SwitchboardClient;
  self: string;
  runId: string;
  log: Logger;
  traceparent?: string;
  /** Client-side bound of one route call (the switchboard applies its own route timeout inside). */
  callTimeoutMs: number;
}

/** The outcome of a routing task: `completed` when at least one target succeeded. */
export interface RoutingTaskOutcome {
  status: 'completed' | 'error';
  targets: TargetOutcome[];
  lastError: string | null;
}

/**
 * The heartbeat's routing task (docs/ecosystem.md §13): no local session. For `*`
 * it health-checks the registry, lists active entries and routes `trigger` to
 * each (except itself) concurrently through the switchboard's `route`.
 */
export async function runRoutingTask(task: RoutingTaskInput, o: RoutingTaskOptions): Promise<RoutingTaskOutcome> {
  // One span per run: every call's client span (SwitchboardClient) is its child.
  const root = startSpan('heartbeat.routing_task', o.traceparent, { 'task.name': task.name, 'task.target': task.target });
  try {
    const out = await routingTask(task, o, root.traceparent);
    root.end(out.status === 'error' ? { error: out.lastError ?? 'error' } : undefined);
    return out;
  } catch (err) {
    root.end({ error: (err as Error)?.message ?? String(err) });
    throw err;
  }
}

async function routingTask(task: RoutingTaskInput, o: RoutingTaskOptions, traceparent: string): Promise<RoutingTaskOutcome> {
  const tag = `hb:${o.runId}`;
  const log = o.log.child({ task: task.name, run_id: o.runId, tag });
  const meta = () => ({ traceparent });
  let names: string[];
  if (task.target === '*') {
    await healthCheck(o, meta(), log);
    try {
      names = await activeEntries(o, meta());
    } catch (err) {
      const message = `registry_list on the switchboard failed: ${(err as Error).message}`;
      log.error({ event: 'heartbeat.registry_list_failed', error: message }, message);
      return { status: 'error', targets: [], lastError: message };
    }
    names = names.filter((n) => n !== o.self);
  } else {
    names = [task.target];
  }
  if (names.length === 0) return { status: 'error', targets: [], lastError: 'no active butler to route to (registry_list returned none besides this one)' };

  const outcomes = await Promise.all(names.map((butler) => routeOne(butler, task.prompt, tag, o, meta(), log)));
  const failed = outcomes.filter((t) => !t.outcome.ok);
  const lastError = failed.length ? `failed targets: ${failed.map((t) => `${t.outcome.butler} (${t.outcome.error}${t.message ? `: ${t.message}` : ''})`).join('; ')}` : null;
  const status = outcomes.some((t) => t.outcome.ok) ? 'completed' : 'error';
  log.info(
    { event: 'heartbeat.cycle', status, targets: outcomes.map((t) => ({ butler: t.outcome.butler, ok: t.outcome.ok, error: t.outcome.error })) },
    `heartbeat routed to ${names.length} butler(s), ${names.length - failed.length} succeeded`,
  );
  return { status, targets: outcomes.map((t) => t.outcome), lastError };
}

async function healthCheck(o: RoutingTaskOptions, meta: Record<string, string>, log: Logger): Promise<void> {
  try {
    const res = await o.client.call('registry_health_check', {}, meta, o.callTimeoutMs);
    if (res.isError) log.warn({ event: 'heartbeat.health_check_failed', error: structured(res).error }, 'registry_health_check returned an error; continuing');
  } catch (err) {
    const event = isToolNotFound(err) ? 'heartbeat.health_check_unavailable' : 'heartbeat.health_check_failed';
    log.warn({ event, error: (err as Error).message }, 'registry_health_check could not run; continuing with the registry as it is');
  }
}

async function activeEntries(o: RoutingTaskOptions, meta: Record<string, string>): Promise<string[]> {
  const res = await o.client.call('registry_list', {}, meta, o.callTimeoutMs);
  const sc = structured(res) as { entries?: Array<{ name?: unknown; eligibility_state?: unknown }>; error?: string; message?: string };
  if (res.isError) throw new Error(`${sc.error ?? 'error'}: ${sc.message ?? ''}`);
  if (!Array.isArray(sc.entries)) throw new Error('the answer has no entries array');
  return sc.entries
    .filter((e) => typeof e.name === 'string' && (e.eligibility_state === undefined || e.eligibility_state === 'active'))
    .map((e) => e.name as string);
}

async function routeOne(
  butler: string,
  prompt: string,
  tag: string,
  o: RoutingTaskOptions,
  meta: Record<string, string>,
  log: Logger,
): Promise<{ outcome: TargetOutcome; message?: string }> {
  const args = { target_butler: butler, tool_name: 'trigger', args: { prompt, trigger_source: 'heartbeat', tag }, origin: 'heartbeat', tag };
  try {
    const res = await o.client.call('route', args, meta, o.callTimeoutMs);
    const sc = structured(res) as { ok?: unknown; error?: string; message?: string; result?: { session_id?: unknown; success?: unknown; error?: unknown } };
    if (res.isError) return { outcome: { butler, ok: false, error: sc.error ?? 'route_failed' }, message: sc.message };
    if (sc.ok === false) return { outcome: { butler, ok: false, error: sc.error ?? 'route_failed' }, message: sc.message };
    if (sc.ok !== true) return { outcome: { butler, ok: false, error: 'malformed_response' }, message: 'route answered without ok' };
    const sessionId = typeof sc.result?.session_id === 'string' ? sc.result.session_id : undefined;
    if (sc.result?.success === false) {
      return { outcome: { butler, ok: false, error: typeof sc.result.error === 'string' ? sc.result.error : 'session_failed', ...(sessionId ? { session_id: sessionId } : {}) } };
    }
    return { outcome: { butler, ok: true, ...(sessionId ? { session_id: sessionId } : {}) } };
  } catch (err) {
    log.warn({ event: 'heartbeat.route_failed', target_butler: butler, error: (err as Error).message }, `routing to ${butler} through the switchboard failed`);
    return { outcome: { butler, ok: false, error: 'switchboard_unavailable' }, message: (err as Error).message };
  }
}

function structured(res: CallToolResult): Record<string, unknown> {
  const sc = res.structuredContent;
  if (sc && typeof sc === 'object') return sc as Record<string, unknown>;
  try {
    const first = res.content?.[0];
    return first?.type === 'text' ? (JSON.parse(first.text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
