import pg from 'pg';
import type { Logger } from 'pino';
import type { ButlerConfig } from '../config/schema.ts';
import { StartupError } from '../startup-error.ts';

type DbConfig = ButlerConfig['db'];

/**
 * Opens the butler's pool (creating the database first only when
 * `db.provision`) and proves it with one query, so a wrong password or a
 * missing database is a `database` startup failure, not a later tool error.
 */
export async function openPool(db: DbConfig, butler: string, log: Logger): Promise<pg.Pool> {
  const where = `database ${db.name} at ${db.host}:${db.port}${db.user ? ` as ${db.user}` : ''}`;
  if (db.provision) await provision(db, where);
  const pool = new pg.Pool({
    host: db.host,
    port: db.port,
    database: db.name,
    user: db.user,
    password: db.password,
    min: db.pool_min,
    max: db.pool_max,
    connectionTimeoutMillis: db.acquire_timeout_ms,
    statement_timeout: db.statement_timeout_ms,
    idleTimeoutMillis: 30_000,
    application_name: `butler-${butler}`,
  });
  // An idle client dying (server restart, network) must not crash the daemon.
  pool.on('error', (err) => log.warn({ event: 'db.idle_client_error', err }, `idle connection to ${where} failed`));
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StartupError('database', `cannot connect to ${where}: ${describePgError(err)}`, { cause: err });
  }
  return pool;
}

async function provision(db: DbConfig, where: string): Promise<void> {
  const admin = new pg.Client({
    host: db.host, port: db.port, database: 'postgres', user: db.user, password: db.password,
    connectionTimeoutMillis: db.acquire_timeout_ms,
  });
  try {
    await admin.connect();
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(db.name)}`);
  } catch (err) {
    // Another daemon may have created it between our check and CREATE.
    if ((err as { code?: string }).code !== '42P04') {
      throw new StartupError('database', `db.provision is on but creating ${where} failed: ${describePgError(err)}`, { cause: err });
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** One line with the server's message and SQLSTATE; no connection string, no password. */
export function describePgError(err: unknown): string {
  const e = err as { message?: string; code?: string };
  const code = e.code && /^[0-9A-Z]{5}$/.test(e.code) ? ` (SQLSTATE ${e.code})` : e.code ? ` (${e.code})` : '';
  return `${e.message ?? String(err)}${code}`;
}

/** Pool numbers for `status.db.pool`. */
export function poolStats(pool: pg.Pool): { size: number; idle: number; in_use: number; waiting: number; max: number } {
  const size = pool.totalCount;
  const idle = pool.idleCount;
  return { size, idle, in_use: size - idle, waiting: pool.waitingCount, max: pool.options.max ?? 10 };
}
