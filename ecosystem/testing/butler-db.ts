import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ThrowawayCluster } from '../../staging/testing/throwaway-cluster.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const rosterDir = join(here, '..', '..', 'roster');
const coreMigrationsDir = join(here, '..', 'core', 'migrations');

function sqlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => join(dir, f));
}

/** Applies each file in its own transaction, as the daemon's runner does. */
async function applyChain(pool: pg.Pool, files: string[]): Promise<void> {
  for (const file of files) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(readFileSync(file, 'utf8'));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new Error(`migration ${file} failed: ${(error as Error).message}`);
    } finally {
      client.release();
    }
  }
}

/** Applies every `*.sql` of `dir` in lexical order, each in its own transaction; returns the file names. */
export async function applySqlFiles(pool: pg.Pool, dir: string): Promise<string[]> {
  const files = sqlFiles(dir);
  await applyChain(pool, files);
  return files.map((f) => f.slice(dir.length).replace(/^\//, ''));
}

/**
 * Creates a fresh database for one butler and applies the core chain (the
 * messenger reads `sessions`) and the butler's own migrations; `null` = core only.
 */
export async function createButlerDb(cluster: ThrowawayCluster, butler: string | null): Promise<pg.Pool> {
  const database = `roster_${butler ?? 'core_only'}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ connectionString: cluster.url(database), max: 4 });
  // A cluster stopped at teardown terminates idle clients; that must not surface in the next test.
  pool.on('error', () => {});
  await applyChain(pool, sqlFiles(coreMigrationsDir));
  if (butler !== null) await applyChain(pool, sqlFiles(join(rosterDir, butler, 'migrations')));
  return pool;
}

/** Migration files of one butler, in the order the runner applies them. */
export function butlerMigrations(butler: string): string[] {
  return sqlFiles(join(rosterDir, butler, 'migrations'));
}
