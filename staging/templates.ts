/**
 * Migrated template databases (infrastructure.md: per-butler databases are
 * created from a migrated template).
 *
 * For a local cluster (embedded, system) the harness owns the data folder, so
 * the templates are built once and cached with it (a ClusterSeed): each
 * butler gets a role `butler_<name>` and a database `butler_<name>_tpl` that
 * the butler's own daemon migrates with `--migrate-only`: exactly the chains
 * it would apply at start-up (core, butler, and the modules that pass their
 * dependency and credential checks), by the code that applies them for real.
 * Every later boot copies that cluster and creates `butler_<name>` from its
 * template; the daemon then finds every migration recorded with a matching
 * checksum and applies none. The cache key covers everything that decides
 * what the migrations create, so an edited migration or butler.toml rebuilds.
 *
 * Providers that do not own their data folder (url, testcontainers) get no
 * templates: there the daemons migrate their empty databases at start-up,
 * which is also the path ad-hoc butlers always take.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { ClusterSeed, ProvisionedButler, StartedPostgres } from './postgres/index.ts';
import { butlerObjectName } from './postgres/index.ts';
import type { RosterEntry } from './roster.ts';
import { writeOverlay, type Overlay } from './supervisor/overlay.ts';
import { roleUrl, withDatabase } from './postgres/urls.ts';

/** Bump when what build() creates changes in a way the key cannot see. */
const SEED_FORMAT = 1;
const MIGRATE_TIMEOUT_MS = 60_000;

type Server = Omit<StartedPostgres, 'skipped'>;

export interface TemplateSeedOptions {
  /** The butlers that will boot. */
  roster: RosterEntry[];
  daemonEntry: string;
  /** The daemons' environment: the template is migrated under the same one (names go into the key). */
  env: Record<string, string>;
  /** Folder for the generated overlays. */
  runDir: string;
  /** The ecosystem folder whose core and module migrations the daemon applies. */
  ecosystemDir: string;
  /** The staging overlay of a butler, pointed at `db`. */
  overlay: (butler: RosterEntry, db: ProvisionedButler, server: Server) => Overlay;
}

export function templateName(butler: string): string {
  return butlerObjectName(butler, '_tpl');
}

export function migratedTemplateSeed(o: TemplateSeedOptions): ClusterSeed {
  return {
    key: templateKey(o),
    async build(server, log) {
      const results = await Promise.all(o.roster.map((b) => buildOne(b, server, o)));
      const failed = results.filter((r) => r !== true);
      log(
        `templates: migrated ${results.length - failed.length}/${results.length} template databases` +
          (failed.length ? `; without a template (they migrate at start-up and report there): ${failed.join('; ')}` : ''),
      );
    },
  };
}

/** Which of `butlers` have a template in this cluster: butler → template database. */
export async function availableTemplates(server: Server, butlers: string[]): Promise<Record<string, string>> {
  const wanted = new Map(butlers.map((b) => [templateName(b), b]));
  if (!wanted.size) return {};
  const client = new pg.Client({ connectionString: server.adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const r = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datistemplate AND datname = ANY($1)', [[...wanted.keys()]]);
    return Object.fromEntries(r.rows.map((row) => [wanted.get(row.datname)!, row.datname]));
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}


/** true, or a one-line reason why this butler has no template. */
async function buildOne(b: RosterEntry, server: Server, o: TemplateSeedOptions): Promise<true | string> {
  const role = butlerObjectName(b.name);
  const database = templateName(b.name);
  const password = randomBytes(18).toString('hex');
  try {
    await admin(server.adminUrl, async (c) => {
      await c.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`);
      await c.query(`CREATE DATABASE "${database}" OWNER "${role}"${Number.parseInt(server.version, 10) >= 15 ? ' STRATEGY FILE_COPY' : ''}`);
      await c.query(`REVOKE CONNECT ON DATABASE "${database}" FROM PUBLIC`);
    });
    if (server.hasPgvector) await admin(withDatabase(server.adminUrl, database), (c) => c.query('CREATE EXTENSION IF NOT EXISTS vector'));
    const overlayFile = path.join(o.runDir, `overlay-template-${b.name}.toml`);
    const url = roleUrl({ host: server.host, port: server.port, role, password, database });
    writeOverlay(overlayFile, o.overlay(b, { database, role, password, url }, server));
    await migrate(o.daemonEntry, b, overlayFile, o.env);
    await admin(server.adminUrl, async (c) => {
      // A template nobody connects to; the cached cluster keeps no usable password.
      await c.query(`ALTER DATABASE "${database}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
      await c.query(`ALTER ROLE "${role}" PASSWORD NULL`);
    });
    return true;
  } catch (err) {
    await admin(server.adminUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS "${role}"`);
    }).catch(() => undefined);
    return `${b.name}: ${(err as Error).message.split('\n')[0]}`;
  }
}

function migrate(entry: string, b: RosterEntry, overlayFile: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [entry, '--roster', b.dir, '--overlay', overlayFile, '--migrate-only'],
      { env, timeout: MIGRATE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (!err) return resolve();
        reject(new Error(`--migrate-only failed: ${lastError(stdout, stderr) ?? err.message}`));
      },
    );
  });
}

/** The message of the daemon's startup_failed line, or the last stderr line. */
function lastError(stdout: string, stderr: string): string | undefined {
  for (const line of stdout.split('\n').reverse()) {
    try {
      const j = JSON.parse(line) as { event?: string; msg?: string; error?: string };
      if (j.event === 'butler.startup_failed') return j.error ?? j.msg;
    } catch {
      /* not JSON */
    }
  }
  return stderr.trim().split('\n').pop() || undefined;
}

/** Everything that decides what the templates hold. */
export function templateKey(o: Pick<TemplateSeedOptions, 'roster' | 'daemonEntry' | 'env' | 'ecosystemDir'>): string {
  const h = createHash('sha256');
  const add = (...parts: Array<string | number>) => h.update(`${parts.join('\0')}\n`);
  add('seed', SEED_FORMAT);
  const daemon = statSync(o.daemonEntry);
  add('daemon', daemon.size, daemon.mtimeMs);
  // Module credentials are checked by presence (and shape) of these variables.
  add('env', ...Object.keys(o.env).filter((k) => o.env[k] !== '').sort());
  for (const b of [...o.roster].sort((x, y) => x.name.localeCompare(y.name))) {
    // Contents, not location: a copy of the roster shares the cached templates.
    add('butler', b.name);
    hashFile(h, path.join(b.dir, 'butler.toml'));
    hashTree(h, path.join(b.dir, 'migrations'));
  }
  hashTree(h, path.join(o.ecosystemDir, 'core', 'migrations'));
  const modules = path.join(o.ecosystemDir, 'modules');
  if (existsSync(modules)) {
    for (const m of readdirSync(modules).sort()) hashTree(h, path.join(modules, m, 'migrations'));
  }
  return h.digest('hex').slice(0, 16);
}

function hashFile(h: ReturnType<typeof createHash>, file: string): void {
  h.update(`${file}\0`);
  h.update(existsSync(file) ? readFileSync(file) : 'missing');
  h.update('\n');
}

function hashTree(h: ReturnType<typeof createHash>, dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    h.update(`${dir}\0none\n`);
    return;
  }
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) hashTree(h, p);
    else hashFile(h, p);
  }
}
