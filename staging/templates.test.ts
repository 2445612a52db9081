import { expect, test } from '@playwright/test';
import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { templateKey, templateName } from './templates.ts';

test('the template key changes with anything that decides what migrations create, and only then', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tpl-key-'));
  try {
    const eco = path.join(dir, 'ecosystem');
    cpSync(path.resolve('ecosystem/core/migrations'), path.join(eco, 'core', 'migrations'), { recursive: true });
    cpSync(path.resolve('ecosystem/modules/memory'), path.join(eco, 'modules', 'memory'), { recursive: true });
    const health = path.join(dir, 'roster', 'health');
    cpSync(path.resolve('roster/health'), health, { recursive: true });
    const daemon = path.join(dir, 'daemon.mjs');
    writeFileSync(daemon, '// daemon');
    const o = { roster: [{ name: 'health', dir: health, tomlPort: 8103, modules: [], routable: true }], daemonEntry: daemon, env: { PATH: '/bin', A: 'x' }, ecosystemDir: eco };
    const k0 = templateKey(o);
    expect(templateKey(o)).toBe(k0);
    // Values of the environment do not matter (canaries are random per run), names do.
    expect(templateKey({ ...o, env: { PATH: '/usr/bin', A: 'y' } })).toBe(k0);
    expect(templateKey({ ...o, env: { ...o.env, EMAIL_ADDRESS: 'a@b.c' } })).not.toBe(k0);
    appendFileSync(path.join(health, 'butler.toml'), '\n# edited\n');
    const k1 = templateKey(o);
    expect(k1).not.toBe(k0);
    writeFileSync(path.join(health, 'migrations', '999_new.sql'), 'CREATE TABLE n (id int);');
    const k2 = templateKey(o);
    expect(k2).not.toBe(k1);
    appendFileSync(path.join(eco, 'core', 'migrations', '0001_state.sql'), '\n-- edited\n');
    const k3 = templateKey(o);
    expect(k3).not.toBe(k2);
    appendFileSync(path.join(eco, 'modules', 'memory', 'migrations', '002_extra.sql'), '-- new module migration\n');
    expect(templateKey(o)).not.toBe(k3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('template databases are named after the butler and validated like every database name', () => {
  expect(templateName('health')).toBe('butler_health_tpl');
  expect(() => templateName('Bad-Name')).toThrow('must match');
});
