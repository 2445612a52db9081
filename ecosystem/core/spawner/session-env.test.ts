import { expect, test } from '@playwright/test';
import { configSchema } from '../config/schema.ts';
import { allModules } from '../../modules/index.ts';
import { allowedSessionVars, buildSessionEnv } from './session-env.ts';

const config = (extra: Record<string, unknown> = {}) =>
  configSchema.parse({ butler: { name: 'messenger', port: 8104, description: 'Messages.' }, ...extra });

const daemonEnv = {
  PATH: '/usr/bin', HOME: '/root', SSH_AUTH_SOCK: '/tmp/agent', GITHUB_TOKEN: 'ghp_canary', DATABASE_URL: 'postgres://x', CI: 'true',
  E2E_CANARY_SECRET: 'canary', ANTHROPIC_API_KEY: 'sk-fake', ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_BSP_SCHEDULE_DELAY: '',
  HEALTH_DEVICE_TOKEN: 'health-tok', RELATIONSHIP_CONTACTS_TOKEN: 'rel-tok',
  BUTLER_TELEGRAM_TOKEN: '123:abc', EMAIL_ADDRESS: 'a@b.c', EMAIL_PASSWORD: '', GOOGLE_OAUTH_CLIENT_ID: 'gid',
  TRACEPARENT: '00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01',
};
const trace = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

test('only allowed names with values: declared vars, enabled modules\' credentials, API and OTEL settings, trace context', () => {
  const cfg = config({
    env: { optional_env_vars: ['HEALTH_DEVICE_TOKEN'], required_env_vars: ['MISSING_VAR'] },
    modules: { telegram: {}, email: { enabled: true }, calendar: { enabled: false } },
  });
  const env = buildSessionEnv(cfg, daemonEnv, allModules, { ...trace, tracestate: 'k=v' });
  expect(env).toEqual({
    ANTHROPIC_API_KEY: 'sk-fake',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    HEALTH_DEVICE_TOKEN: 'health-tok',
    BUTLER_TELEGRAM_TOKEN: '123:abc',
    EMAIL_ADDRESS: 'a@b.c',
    TRACEPARENT: trace.traceparent,
    TRACESTATE: 'k=v',
  });
  expect(allowedSessionVars(cfg, allModules)).not.toContain('GOOGLE_OAUTH_CLIENT_ID');
});

test('a butler without declarations or modules gets the API settings and the trace only', () => {
  const env = buildSessionEnv(config(), { ...daemonEnv, ANTHROPIC_BASE_URL: undefined }, allModules, trace);
  expect(Object.keys(env).sort()).toEqual(['ANTHROPIC_API_KEY', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'TRACEPARENT']);
  expect(env.TRACEPARENT).toBe(trace.traceparent);
});
