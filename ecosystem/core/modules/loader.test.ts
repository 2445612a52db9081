import { Writable } from 'node:stream';
import { expect, test } from '@playwright/test';
import type { Pool } from 'pg';
import { z } from 'zod';
import { createLogger } from '../logging/logger.ts';
import { createRedactor } from '../logging/redactor.ts';
import { allModules } from '../../modules/index.ts';
import { loadModules, topoOrder } from './loader.ts';
import type { ModuleDef } from './types.ts';

function sinkLogger(redactor = createRedactor()) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (c, _e, cb) => (c.toString().trim().split('\n').forEach((l: string) => lines.push(JSON.parse(l))), cb()) });
  return { log: createLogger({ butler: 't', redactor, destination: sink, level: 'debug' }), lines, redactor };
}

const tool = (name: string) => ({ name, description: 'd', input: { x: z.string().optional() }, handler: async () => ({}) });
const mod = (name: string, extra: Partial<ModuleDef> = {}): ModuleDef => ({ name, dependsOn: [], credentials: [], config: {}, tools: () => [tool(`${name}_do`)], ...extra });

test('topological order puts dependencies first, ties alphabetical', () => {
  expect(topoOrder(['telegram', 'email_digest', 'memory', 'email', 'calendar'], allModules)).toEqual(['calendar', 'email', 'email_digest', 'memory', 'telegram']);
  const chain = new Map([['c', mod('c', { dependsOn: ['b'] })], ['b', mod('b', { dependsOn: ['a'] })], ['a', mod('a')]]);
  expect(topoOrder(['c', 'b', 'a'], chain)).toEqual(['a', 'b', 'c']);
});

test('each failure phase is reported in order and nothing is fatal', async () => {
  const migrated: string[] = [];
  const available = new Map<string, ModuleDef>([
    ['creds', mod('creds', { credentials: [{ env: 'TOKEN_X', pattern: /^\d+:\S{35,}$/, format: '<digits>:<35+ chars>' }] })],
    ['needs_creds', mod('needs_creds', { dependsOn: ['creds'] })],
    ['mig', mod('mig')],
    ['boot', mod('boot', { startup: async () => { throw new Error('extension missing'); } })],
    ['ok', mod('ok', { credentials: [{ env: 'OK_KEY' }] })],
    ['off', mod('off')],
    ['uses_ok', mod('uses_ok', { dependsOn: ['ok'] })],
  ]);
  const { log, lines, redactor } = sinkLogger(createRedactor(['not-a-token-value']));
  const result = await loadModules({
    butler: 't', available, log, redactor, db: {} as Pool,
    env: { TOKEN_X: 'not-a-token-value', OK_KEY: 'k' },
    configured: {
      creds: { enabled: true }, needs_creds: { enabled: true }, mig: { enabled: true }, boot: { enabled: true },
      ok: { enabled: true }, off: { enabled: false }, uses_ok: { enabled: true },
    },
    migrate: async (m) => {
      migrated.push(m);
      if (m === 'mig') throw new Error('migration module:mig 001_x.sql failed: syntax error');
    },
  });
  expect(result.states).toEqual({
    boot: { status: 'failed', phase: 'startup', error: 'extension missing', depends_on: [] },
    creds: { status: 'failed', phase: 'credentials', error: 'TOKEN_X is malformed (expected <digits>:<35+ chars>)', depends_on: [] },
    mig: { status: 'failed', phase: 'migration', error: 'migration module:mig 001_x.sql failed: syntax error', depends_on: [] },
    needs_creds: { status: 'failed', phase: 'dependency', error: 'depends on module creds, which is failed (credentials)', depends_on: ['creds'] },
    off: { status: 'disabled', depends_on: [] },
    ok: { status: 'active', depends_on: [] },
    uses_ok: { status: 'active', depends_on: ['ok'] },
  });
  expect(result.active).toEqual(['ok', 'uses_ok']);
  expect(result.tools.map((t) => [t.name, t.module])).toEqual([['ok_do', 'ok'], ['uses_ok_do', 'uses_ok']]);
  // Credentials and dependency failures never reach the migration step.
  expect(migrated).toEqual(['boot', 'mig', 'ok', 'uses_ok']);
  const failed = lines.filter((l) => l.event === 'module.failed');
  expect(failed.map((l) => [l.module, l.phase, l.level])).toEqual([
    ['boot', 'startup', 40], ['creds', 'credentials', 40], ['mig', 'migration', 40], ['needs_creds', 'dependency', 40],
  ]);
  expect(failed.find((l) => l.module === 'creds')?.credentials).toEqual({ TOKEN_X: true });
  expect(lines.filter((l) => l.event === 'module.disabled').map((l) => l.module)).toEqual(['off']);
  expect(JSON.stringify(lines)).not.toContain('not-a-token-value');
});

test('staging reality: real module definitions without credentials', async () => {
  const { log, redactor } = sinkLogger();
  const result = await loadModules({
    butler: 'messenger', available: allModules, log, redactor, db: {} as Pool, env: {},
    configured: { telegram: { enabled: true }, email: { enabled: true }, email_digest: { enabled: true } },
    migrate: async () => undefined,
  });
  expect(result.states.telegram).toMatchObject({ status: 'failed', phase: 'credentials', error: 'BUTLER_TELEGRAM_TOKEN is not set' });
  expect(result.states.email).toMatchObject({ status: 'failed', phase: 'credentials' });
  expect(result.states.email_digest).toMatchObject({ status: 'failed', phase: 'dependency', depends_on: ['email'] });
  const ok = await loadModules({
    butler: 'messenger', available: allModules, log, redactor, db: {} as Pool,
    env: { BUTLER_TELEGRAM_TOKEN: `12345:${'a'.repeat(35)}`, EMAIL_ADDRESS: 'me@example.test', EMAIL_PASSWORD: 'pw' },
    configured: { telegram: { enabled: true }, email: { enabled: true }, email_digest: { enabled: true } },
    migrate: async () => undefined,
  });
  expect(ok.active).toEqual(['email', 'email_digest', 'telegram']);
  expect(ok.tools.find((t) => t.name === 'email_send')?.sensitive).toEqual(['recipient', 'body']);
});
