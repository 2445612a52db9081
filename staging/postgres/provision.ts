import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresProviderError, firstLine, type ProvisionedButler, type StartedPostgres } from './types.ts';
import { roleUrl, withDatabase } from './urls.ts';

const NAME = /^[a-z][a-z0-9_]*$/;
const SUFFIX = /^[a-z0-9_]*$/;
const MAX_IDENTIFIER = 63;

/** `butler_<name><suffix>`, validated so it can be used unquoted-safe and within PostgreSQL's 63-byte limit. */
export function butlerObjectName(butler: string, suffix = ''): string {
  if (!NAME.test(butler)) {
    throw new PostgresProviderError('PROVISION_FAILED', `butler name "${butler}" must match ${NAME} to name a database; rename the roster folder`);
  }
  if (!SUFFIX.test(suffix)) {
    throw new PostgresProviderError('PROVISION_FAILED', `database suffix "${suffix}" must match ${SUFFIX} (e.g. _<runId>_w0)`);
  }
  const name = `butler_${butler}${suffix}`;
  if (name.length > MAX_IDENTIFIER) {
    throw new PostgresProviderError('PROVISION_FAILED', `database name ${name} exceeds PostgreSQL's ${MAX_IDENTIFIER}-character limit; shorten the run id`);
  }
  return name;
}


async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}


/** Options of provisionButlerDatabases(). */
export interface ProvisionOptions {
  /** Appended to every name; the url provider passes `_<runId>_w<N>`. */
  suffix?: string;
  /** Create each database from this template (e.g. one holding the migrated schema) instead of template1. */
  template?: string;
  /**
   * Per butler: its migrated template database (see staging/templates.ts).
   * Such a template's objects belong to the butler's role, which therefore
   * already exists: it gets a fresh password instead of being created.
   */
  templates?: Record<string, string>;
}

/**
 * FILE_COPY (PostgreSQL 15+) copies the template's files instead of WAL-logging
 * every block; with fsync off and databases created in parallel it is the
 * faster strategy for small templates (measured ~40% faster for 6 databases).
 */
export function createDatabaseOptions(version: string, template?: string): string {
  const major = Number.parseInt(version, 10);
  const parts = [];
  if (template) parts.push(` TEMPLATE "${template}"`);
  if (major >= 15) parts.push(' STRATEGY FILE_COPY');
  return parts.join('');
}

/**
 * As admin, per butler: a LOGIN role with a random password, a database it
 * owns, CONNECT revoked from PUBLIC, and (when installable) the vector
 * extension, which a non-superuser owner could not create itself. Butlers are
 * provisioned in parallel, one admin connection each. On any failure what was
 * created is dropped again and a PROVISION_FAILED error names the butler.
 */
export async function provisionButlerDatabases(
  pgServer: StartedPostgres,
  butlers: string[],
  opts: ProvisionOptions = {},
): Promise<Record<string, ProvisionedButler>> {
  const names = butlers.map((butler) => [butler, butlerObjectName(butler, opts.suffix)] as const);
  if (opts.template !== undefined && !SUFFIX.test(opts.template)) {
    throw new PostgresProviderError('PROVISION_FAILED', `template database name "${opts.template}" must match ${SUFFIX}`);
  }

  const result: Record<string, ProvisionedButler> = {};
  const created: Record<string, { database: string; role: string }> = {};

  const provisionOne = async (butler: string, name: string): Promise<void> => {
    const password = randomBytes(18).toString('hex');
    try {
      const template = opts.templates?.[butler];
      if (template !== undefined && !SUFFIX.test(template)) throw new Error(`template database name "${template}" must match ${SUFFIX}`);
      await withAdmin(pgServer.adminUrl, async (admin) => {
        const roleExists = template ? ((await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount ?? 0) > 0 : false;
        if (roleExists) {
          await admin.query(`ALTER ROLE "${name}" LOGIN PASSWORD '${password}'`);
        } else {
          await admin.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${password}'`);
          created[butler] = { role: name, database: '' };
        }
        await admin.query(`CREATE DATABASE "${name}" OWNER "${name}"${createDatabaseOptions(pgServer.version, template ?? opts.template)}`);
        created[butler] = { role: created[butler]?.role ?? '', database: name };
        await admin.query(`REVOKE CONNECT ON DATABASE "${name}" FROM PUBLIC`);
      });
      if (pgServer.hasPgvector) {
        await withAdmin(withDatabase(pgServer.adminUrl, name), (admin) => admin.query('CREATE EXTENSION IF NOT EXISTS vector'));
      }
    } catch (err) {
      throw new PostgresProviderError(
        'PROVISION_FAILED',
        `provisioning butler ${butler} (role and database ${name}) on ${pgServer.host}:${pgServer.port} failed: ${firstLine(err)}`,
      );
    }
    result[butler] = { database: name, role: name, password, url: roleUrl({ host: pgServer.host, port: pgServer.port, role: name, password, database: name }) };
  };

  const outcomes = await Promise.allSettled(names.map(([butler, name]) => provisionOne(butler, name)));
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) {
    await dropButlerDatabases(pgServer, created);
    throw failure.reason;
  }
  return result;
}

/**
 * Drops exactly the databases and roles named in `provisioned` (open
 * sessions are terminated). Other objects on a shared server are untouched.
 */
export async function dropButlerDatabases(
  pgServer: StartedPostgres,
  provisioned: Record<string, { database: string; role: string }>,
): Promise<void> {
  const entries = Object.entries(provisioned);
  if (entries.length === 0) return;
  const problems: string[] = [];
  await withAdmin(pgServer.adminUrl, async (admin) => {
    // One connection, sequential: DROP DATABASE cannot run in a transaction block, and the list is short.
    for (const [butler, { database, role }] of entries) {
      if (![database, role].every((name) => name === '' || SUFFIX.test(name))) {
        problems.push(`${butler}: refusing to drop unexpected name ${JSON.stringify({ database, role })}`);
        continue;
      }
      try {
        if (database) await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        if (role) await admin.query(`DROP ROLE IF EXISTS "${role}"`);
      } catch (err) {
        problems.push(`${butler}: ${firstLine(err)}`);
      }
    }
  });
  if (problems.length > 0) {
    throw new PostgresProviderError('PROVISION_FAILED', `dropping butler databases failed: ${problems.join('; ')}`);
  }
}
