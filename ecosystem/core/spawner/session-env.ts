import type { ButlerConfig } from '../config/schema.ts';
import type { ModuleDef } from '../modules/types.ts';

/** Variables passed through when the daemon has them (docs/ecosystem.md §10.2 step 6). */
const PASSED_WHEN_SET = ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_BSP_SCHEDULE_DELAY'] as const;

/** Names a session may receive for this butler, whether or not they are set now. */
export function allowedSessionVars(config: ButlerConfig, modules: ReadonlyMap<string, ModuleDef>): string[] {
  const names = new Set<string>([...PASSED_WHEN_SET, 'TRACEPARENT', 'TRACESTATE']);
  for (const v of [...config.env.required_env_vars, ...config.env.optional_env_vars]) names.add(v);
  for (const m of enabledModules(config)) for (const c of modules.get(m)?.credentials ?? []) names.add(c.env);
  return [...names];
}

/** Modules *enabled in config* (a failed module still counts: its credentials are its own). */
function enabledModules(config: ButlerConfig): string[] {
  return Object.entries(config.modules as Record<string, { enabled?: boolean } | undefined>)
    .filter(([, table]) => table !== undefined && table.enabled !== false)
    .map(([name]) => name);
}

/**
 * The session process environment, built from nothing: only allowed names
 * with non-empty values, plus the trace context. No PATH, HOME or anything
 * else inherited from the daemon.
 */
export function buildSessionEnv(
  config: ButlerConfig,
  daemonEnv: NodeJS.ProcessEnv,
  modules: ReadonlyMap<string, ModuleDef>,
  trace: { traceparent: string; tracestate?: string },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of allowedSessionVars(config, modules)) {
    const value = daemonEnv[name];
    if (typeof value === 'string' && value !== '') env[name] = value;
  }
  delete env.TRACEPARENT;
  delete env.TRACESTATE;
  env.TRACEPARENT = trace.traceparent;
  if (trace.tracestate) env.TRACESTATE = trace.tracestate;
  return env;
}
