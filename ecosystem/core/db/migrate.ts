import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { describePgError } from './pool.ts';

/** A named folder of `*.sql` files: `core`, `butler:<name>` or `module:<m>`. */
export interface MigrationChain {
  chain: string;
  dir: string;
}

/** One migration file; version is the leading number (`0003_sessions.sql` → `0003`). */
export interface MigrationFile {
  chain: string;
  version: string;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

/** A migration that failed or was edited after it was applied. */
export class MigrationError extends Error {
  constructor(readonly chain: string, readonly file: string, message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

// One lock for every migrating daemon of one database (a restart racing the old process).
const LOCK_KEY = 7_412_032_117;

/** Files of a chain in lexical order; a missing folder is an empty chain. */
export function readChain({ chain, dir }: MigrationChain): MigrationFile[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const seen = new Map<string, string>();
  return files.map((file) => {
    const m = file.match(/^(\d+)[_-](.+)\.sql$/);
    const version = m ? m[1] : file.slice(0, -4);
    const name = m ? m[2] : version;
    const clash = seen.get(version);
    if (clash) {
      throw new MigrationError(chain, file, `migration chain ${chain}: ${clash} and ${file} share version ${version}; renumber one`);
    }
    seen.set(version, file);
    const sql = readFileSync(path.join(dir, file), 'utf8').replace(/\r\n/g, '\n');
    return { chain, version, name, file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

/** Files still to apply; throws when an applied file's checksum changed. */
export function pending(files: MigrationFile[], applied: Map<string, string>): MigrationFile[] {
  for (const f of files) {
    const recorded = applied.get(f.version);
    if (recorded !== undefined && recorded !== f.checksum) {
      throw new MigrationError(
        f.chain,
        f.file,
        `migration ${f.chain} ${f.file} changed after it was applied (checksum ${recorded.slice(0, 12)} recorded, ` +
          `${f.checksum.slice(0, 12)} on disk); restore the file and put the change in a new migration`,
      );
    }
  }
  return files.filter((f) => !applied.has(f.version));
}

/**
 * Applies the chains in order under a PostgreSQL advisory lock, each file in
 * its own transaction, recording it in schema_migrations. Re-running is a
 * no-op. Returns the files applied now.
 */
export async function runMigrations(pool: Pool, chains: MigrationChain[], log: Logger): Promise<MigrationFile[]> {
  const chainFiles = chains.map(readChain);
  const client = await pool.connect();
  const done: MigrationFile[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        chain TEXT NOT NULL, version TEXT NOT NULL, name TEXT NOT NULL, checksum TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (chain, version))`);
      for (const files of chainFiles) done.push(...(await applyChain(client, files, log)));
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
  return done;
}

async function applyChain(client: PoolClient, files: MigrationFile[], log: Logger): Promise<MigrationFile[]> {
  if (files.length === 0) return [];
  const { rows } = await client.query<{ version: string; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations WHERE chain = $1',
    [files[0].chain],
  );
  const todo = pending(files, new Map(rows.map((r) => [r.version, r.checksum])));
  for (const f of todo) {
    const started = Date.now();
    try {
      await client.query('BEGIN');
      await client.query(f.sql);
      await client.query('INSERT INTO schema_migrations (chain, version, name, checksum) VALUES ($1, $2, $3, $4)', [
        f.chain, f.version, f.name, f.checksum,
      ]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new MigrationError(f.chain, f.file, `migration ${f.chain} ${f.file} failed: ${describePgError(err)}`);
    }
    log.info({ event: 'db.migration_applied', chain: f.chain, version: f.version, file: f.file, duration_ms: Date.now() - started }, `applied ${f.chain} ${f.file}`);
  }
  return todo;
}
