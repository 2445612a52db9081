import { randomBytes } from 'node:crypto';

export type ModelMode = 'double' | 'live';

export interface ModelSettings {
  mode: ModelMode;
  /** The key daemons receive: a random fake the double accepts, or the real key in live mode. */
  apiKey: string | undefined;
  /** Set in double mode once the double listens; the real API otherwise. */
  baseUrl?: string;
}

/** Reads E2E_MODEL lazily and refuses live mode in CI unless explicitly allowed. */
export function modelSettings(env: NodeJS.ProcessEnv = process.env): ModelSettings {
  const mode = (env.E2E_MODEL ?? 'double') as ModelMode;
  if (mode !== 'double' && mode !== 'live') throw new Error(`E2E_MODEL must be "double" or "live", got "${env.E2E_MODEL}"`);
  if (mode === 'live') {
    if (env.CI && env.E2E_ALLOW_LIVE_IN_CI !== '1') {
      throw new Error('E2E_MODEL=live refuses to run in CI (CI is set); set E2E_ALLOW_LIVE_IN_CI=1 if you really mean to spend money here');
    }
    return { mode, apiKey: env.ANTHROPIC_API_KEY || undefined, baseUrl: env.ANTHROPIC_BASE_URL || undefined };
  }
  return { mode, apiKey: `sk-ant-double-${randomBytes(12).toString('hex')}` };
}

/**
 * The explicit environment of every daemon: nothing is inherited but PATH.
 * The canaries are planted so the security domain can
 * prove they never reach a session process.
 */
export function daemonEnvironment(env: NodeJS.ProcessEnv, model: ModelSettings, parallelIndex: number, collectorUrl?: string): Record<string, string> {
  const out: Record<string, string> = {
    PATH: env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    NODE_ENV: 'staging',
    BUTLERS_WORKER: String(parallelIndex),
    E2E_CANARY_SECRET: `canary-${randomBytes(16).toString('hex')}`,
    GITHUB_TOKEN: `ghp_${randomBytes(18).toString('hex')}`,
    SSH_AUTH_SOCK: '/tmp/e2e-canary-ssh-agent.sock',
    DATABASE_URL: 'postgres://canary:canary@127.0.0.1:1/canary',
    HEALTH_DEVICE_TOKEN: `hdt-${randomBytes(12).toString('hex')}`,
    RELATIONSHIP_CONTACTS_TOKEN: `rct-${randomBytes(12).toString('hex')}`,
  };
  if (model.apiKey) out.ANTHROPIC_API_KEY = model.apiKey;
  if (model.baseUrl) out.ANTHROPIC_BASE_URL = model.baseUrl;
  // Every process exports to the worker's collector, which forwards to the user's endpoint when one is set.
  // E2E_TRACING=0 exports nothing (to measure what tracing costs; span-based tests then fail).
  const otlp = env.E2E_TRACING === '0' ? undefined : (collectorUrl ?? env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (otlp) {
    out.OTEL_EXPORTER_OTLP_ENDPOINT = otlp;
    out.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    out.OTEL_BSP_SCHEDULE_DELAY = '100';
    out.OTEL_METRIC_EXPORT_INTERVAL = '1000';
  }
  if (env.OTEL_LOG_LEVEL) out.OTEL_LOG_LEVEL = env.OTEL_LOG_LEVEL;
  if (env.E2E_NODE_OPTIONS) out.NODE_OPTIONS = env.E2E_NODE_OPTIONS;
  if (env.E2E_CODE_CACHE === '0') out.BUTLERS_CODE_CACHE = '0';
  return out;
}
