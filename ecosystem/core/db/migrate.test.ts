import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { createLogger } from '../logging/logger.ts';
import { createRedactor } from '../logging/redactor.ts';
import { startThrowawayCluster, type ThrowawayCluster } from '../../../staging/testing/throwaway-cluster.ts';
import { MigrationError, pending, readChain, runMigrations } from './migrate.ts';

const log = createLogger({ butler: 't', redactor: createRedactor(), destination: new Writable({ write: (_c, _e, cb) => cb() }) });
let dir: string;
test.beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'mig-test-'))));
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

function chain(name: string, files: Record<string, string>) {
  const d = path.join(dir, name.replace(/\W/g, '_'));
  mkdirSync(d, { recursive: true });
  for (const [f, sql] of Object.entries(files)) writeFileSync(path.join(d, f), sql);
  return { chain: name, dir: d };
}

test('files are read in lexical order with versions; a missing folder is empty', () => {
  const c = chain('core', { '0002_b.sql': 'select 2', '0001_a.sql': 'select 1', '0010_c.sql': 'select 3', 'README.md': 'x' });
  expect(readChain(c).map((f) => [f.version, f.name])).toEqual([['0001', 'a'], ['0002', 'b'], ['0010', 'c']]);
  expect(readChain({ chain: 'x', dir: path.join(dir, 'nope') })).toEqual([]);
  const dup = chain('dup', { '001_a.sql': 'select 1', '001_b.sql': 'select 1' });
  expect(() => readChain(dup)).toThrow('share version 001');
});

test('a changed checksum of an applied file is a migration error', () => {
  const files = readChain(chain('core', { '0001_a.sql': 'select 1', '0002_b.sql': 'select 2' }));
  expect(pending(files, new Map([['0001', files[0].checksum]])).map((f) => f.version)).toEqual(['0002']);
  expect(() => pending(files, new Map([['0001', 'deadbeef']]))).toThrow(/migration core 0001_a\.sql changed after it was applied/);
});

test.describe('against PostgreSQL', () => {
  let cluster: ThrowawayCluster;
  let pool: pg.Pool;
  test.beforeAll(async () => {
    cluster = await startThrowawayCluster();
    pool = new pg.Pool({ connectionString: cluster.url(), max: 4 });
    // A cluster stopped at teardown terminates idle clients; that must not surface in the next test.
    pool.on('error', () => {});
    // The cluster stops right after the last test; an idle client's termination notice is expected then.
    pool.on('error', () => undefined);
  });
  test.afterAll(async () => {
    await pool?.end();
    await cluster?.stop();
  });

  test('applies each file once, records it, re-runs as a no-op, and refuses edits', async () => {
    const core = chain('core', { '0001_t.sql': 'CREATE TABLE t1 (id int);', '0002_u.sql': 'CREATE TABLE t2 (id int);' });
    const butler = chain('butler:x', { '001_n.sql': 'CREATE TABLE n1 (id int);' });
    expect((await runMigrations(pool, [core, butler], log)).map((f) => `${f.chain}/${f.version}`)).toEqual(['core/0001', 'core/0002', 'butler:x/001']);
    expect(await runMigrations(pool, [core, butler], log)).toEqual([]);
    const { rows } = await pool.query('SELECT chain, version, name, length(checksum) AS n, applied_at FROM schema_migrations ORDER BY chain, version');
    expect(rows.map((r) => [r.chain, r.version, r.name, r.n])).toEqual([['butler:x', '001', 'n', 64], ['core', '0001', 't', 64], ['core', '0002', 'u', 64]]);
    writeFileSync(path.join(core.dir, '0001_t.sql'), 'CREATE TABLE t1 (id bigint);');
    await expect(runMigrations(pool, [core], log)).rejects.toThrow(MigrationError);
  });

  test('a failing file rolls back alone and names chain and file', async () => {
    const c = chain('module:m', { '001_ok.sql': 'CREATE TABLE ok1 (id int);', '002_bad.sql': 'CREATE TABLE bad1 (id int); SELECT nope FROM nowhere;' });
    const err = await runMigrations(pool, [c], log).catch((e: unknown) => e as MigrationError);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).message).toMatch(/migration module:m 002_bad\.sql failed: relation "nowhere" does not exist \(SQLSTATE 42P01\)/);
    const { rows } = await pool.query(`SELECT to_regclass('ok1') AS ok, to_regclass('bad1') AS bad`);
    expect(rows[0]).toEqual({ ok: 'ok1', bad: null });
  });

  test('concurrent runners serialise on the advisory lock', async () => {
    const c = chain('race', { '001_a.sql': 'CREATE TABLE race1 (id int); SELECT pg_sleep(0.2);' });
    const [a, b] = await Promise.all([runMigrations(pool, [c], log), runMigrations(pool, [c], log)]);
    expect(a.length + b.length).toBe(1);
  });
});
