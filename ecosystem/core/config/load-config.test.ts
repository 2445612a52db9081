import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { StartupError } from '../startup-error.ts';
import { loadConfig } from './load-config.ts';

const BASE = `[butler]\nname = "health"\nport = 8103\ndescription = "Health butler."\n`;

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cfg-test-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

function roster(toml: string, opts: { name?: string; claude?: boolean } = {}): string {
  const r = path.join(dir, 'roster', opts.name ?? 'health');
  mkdirSync(r, { recursive: true });
  writeFileSync(path.join(r, 'butler.toml'), toml);
  if (opts.claude !== false) writeFileSync(path.join(r, 'CLAUDE.md'), 'prompt');
  return r;
}

function overlay(toml: string): string {
  const f = path.join(dir, 'overlay.toml');
  writeFileSync(f, toml);
  return f;
}

function configError(fn: () => unknown): StartupError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).phase).toBe('config');
    return err as StartupError;
  }
  throw new Error('expected a config error');
}

test('defaults fill in and butler.toml < overlay < env < cli', () => {
  const r = roster(`${BASE}[db]\npool_max = 5\n`);
  const base = loadConfig({ rosterDir: r, cwd: dir });
  expect(base.config.db).toMatchObject({ name: 'butler_health', pool_min: 2, pool_max: 5, statement_timeout_ms: 30000, provision: false });
  expect(base.config.runtime.model).toBe('claude-haiku-4-5-20251001');
  expect(base.config.approval_gates).toEqual({ mode: 'none', timeout_s: 60, gated_tools: [] });
  expect(base.config.scheduler.auto_tick).toBe(true);

  const o = overlay('[butler]\nport = 9103\n[db]\nname = "w1_health"\nport = 15432\n[log]\nlevel = "debug"\nworker = 1\n[scheduler]\nauto_tick = false\n');
  const layered = loadConfig({ rosterDir: r, overlayPath: o, cwd: dir, env: { BUTLERS_DB_PORT: '15999' }, cli: { port: '9999' } });
  expect(layered.config.butler.port).toBe(9999);
  expect(layered.config.db).toMatchObject({ name: 'w1_health', port: 15999, pool_max: 5 });
  expect(layered.config.log).toEqual({ level: 'debug', worker: 1 });
  expect(layered.config.scheduler.auto_tick).toBe(false);
  expect(layered.committed).toEqual({ butler: { name: 'health', port: 8103, description: 'Health butler.' }, db: { pool_max: 5 } });
});

test('a bad value names the file, the key path, the rule and the value', () => {
  const r = roster(`${BASE}[db]\npool_max = -1\n`);
  const err = configError(() => loadConfig({ rosterDir: r, cwd: dir }));
  expect(err.message).toBe('butler.toml (roster/health): key db.pool_max must be a positive integer, got -1');
});

test('an enum lists its allowed values', () => {
  const r = roster(`${BASE}[approval_gates]\nmode = "sometimes"\n`);
  const err = configError(() => loadConfig({ rosterDir: r, cwd: dir }));
  expect(err.message).toContain('key approval_gates.mode must be one of: none, conditional, always, got "sometimes"');
});

test('an unknown key lists the keys its table allows', () => {
  const r = roster(`${BASE}[db]\npool_maxx = 3\n`);
  const err = configError(() => loadConfig({ rosterDir: r, cwd: dir }));
  expect(err.message).toContain('butler.toml (roster/health): unknown key db.pool_maxx; table [db] allows: acquire_timeout_ms, host, name,');
});

test('a problem set by the overlay or the environment names that source', () => {
  const r = roster(BASE);
  const o = overlay('[switchboard]\nurll = "http://x"\n');
  expect(configError(() => loadConfig({ rosterDir: r, overlayPath: o, cwd: dir })).message).toContain('overlay overlay.toml: unknown key switchboard.urll');
  const env = { BUTLERS_DB_PORT: 'abc' };
  expect(configError(() => loadConfig({ rosterDir: r, cwd: dir, env })).message).toBe(
    'environment variable BUTLERS_DB_PORT: key db.port must be an integer from 1 to 65535, got "abc"',
  );
});

test('an unknown module lists the valid modules', () => {
  const r = roster(`${BASE}[modules.weather]\nenabled = true\n`);
  const err = configError(() => loadConfig({ rosterDir: r, cwd: dir }));
  expect(err.message).toContain('unknown module "weather" (key modules.weather); valid modules: calendar, email, email_digest, memory, telegram');
});

test('butler.name must equal the folder name', () => {
  const r = roster(BASE, { name: 'wellness' });
  const err = configError(() => loadConfig({ rosterDir: r, cwd: dir }));
  expect(err.message).toContain('key butler.name must equal the folder name "wellness", got "health"');
});

test('a missing CLAUDE.md names the file', () => {
  const r = roster(BASE, { claude: false });
  const err = configError(() => loadConfig({ rosterDir: r, cwd: dir }));
  expect(err.message).toContain(`${path.join('roster', 'health', 'CLAUDE.md')} is missing`);
});

test('a missing required key says what it needs', () => {
  const r = roster('[butler]\nname = "health"\nport = 8103\n');
  expect(configError(() => loadConfig({ rosterDir: r, cwd: dir })).message).toContain('key butler.description is required: a non-empty string');
});

test('the flat approval shorthand is rejected with the canonical shape as fix', () => {
  const r = roster(`${BASE}[approval_gates]\nsensitive_tools = ["contact_delete"]\n`);
  expect(configError(() => loadConfig({ rosterDir: r, cwd: dir })).message).toContain(
    'key approval_gates.sensitive_tools is not supported (the flat shorthand); use approval_gates.mode and approval_gates.gated_tools',
  );
});

test('a bad password value is never echoed', () => {
  const r = roster(BASE);
  const o = overlay('[db]\npassword = 123456789\n');
  const err = configError(() => loadConfig({ rosterDir: r, overlayPath: o, cwd: dir }));
  expect(err.message).toContain('key db.password must be a string, got (value hidden)');
  expect(err.message).not.toContain('123456789');
});

test('TOML syntax errors give the line', () => {
  const r = roster(`${BASE}[db\n`);
  expect(configError(() => loadConfig({ rosterDir: r, cwd: dir })).message).toMatch(/butler\.toml \(roster\/health\): invalid TOML at line 5/);
});

test('schedule target is only for the heartbeat', () => {
  const r = roster(`${BASE}[[schedule]]\nname = "x"\ncron = "0 9 * * *"\nprompt = "p"\ntarget = "*"\n`);
  expect(configError(() => loadConfig({ rosterDir: r, cwd: dir })).message).toContain('key schedule[0].target is only allowed on the heartbeat butler');
});
