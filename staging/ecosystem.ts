import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startPostgres, provisionButlerDatabases, dropButlerDatabases, type StartedPostgres } from './postgres/index.ts';
import { DAEMON_ENTRY, ensureBuilt } from './build.ts';
import { discoverRoster, rosterDir as defaultRosterDir, type RosterEntry } from './roster.ts';
import { freePort, isPortFree, listenerPid, portBase as envPortBase, portTakenMessage, workerPort } from './ports.ts';
import { RunLog, currentRunStamp, prepareRunLog } from './run-log.ts';
import { Supervisor } from './supervisor/supervisor.ts';
import { availableTemplates, migratedTemplateSeed } from './templates.ts';
import { daemonEnvironment, modelSettings, type ModelSettings } from './daemon-env.ts';
import { makeButlerHandle, type ButlerHandle } from './butler-handle.ts';
import { startModelDouble, type ModelDoubleHandle } from './model-double/index.ts';

export interface BootOptions {
  /** Playwright's parallelIndex: picks the port block. */
  parallelIndex?: number;
  portBase?: number;
  rosterDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines (boot steps, the endpoint summary). */
  progress?: (line: string) => void;
  readinessTimeoutMs?: number;
}

export interface BootFailure {
  butler: string;
  message: string;
}

/** A booted worker ecosystem: handles per butler plus everything needed to inspect and tear down. */
export interface Ecosystem {
  runId: string;
  parallelIndex: number;
  portBase: number;
  runDir: string;
  logFile: string;
  roster: RosterEntry[];
  butlers: Record<string, ButlerHandle>;
  /** Butlers that were discovered but did not boot, with the reason. */
  failed: BootFailure[];
  postgres: Omit<StartedPostgres, 'stop'>;
  model: ModelSettings;
  /** The in-process model double (double mode only). */
  double?: ModelDoubleHandle;
  bootMs: number;
  /** Milliseconds from the boot's start at which each phase ended (double, postgres, switchboard, …); empty when reused. */
  bootPhases: Record<string, number>;
  bootStartedAt: Date;
  bootedAt: Date;
  /** When this worker started using it: the boot end, or the attach time with E2E_REUSE. */
  attachedAt: Date;
  /** True when attached to `npm run staging` (E2E_REUSE=1): no supervisor, no ad-hoc butlers. */
  reused: boolean;
  supervisor: Supervisor;
  log: RunLog;
  /** Admin pool on a butler's database (evidence queries). */
  admin(butler: string): pg.Pool;
  /** One-off butler on a spare port with its own database (broken configs, roster copies, slow starts). */
  launchAdHoc(o: AdHocOptions): Promise<AdHocButler>;
  close(): Promise<void>;
}

export interface AdHocOptions {
  name: string;
  /** The butler's folder (its name must equal `name`). */
  rosterDir: string;
  env?: Record<string, string>;
  overlay?: Record<string, any>;
  readinessTimeoutMs?: number;
  /** Wait for the registry row too (default true). */
  expectRegistration?: boolean;
}

export interface AdHocButler extends ButlerHandle {
  /** Stops it, removes its registry row and drops its database; safe twice. */
  dispose(): Promise<void>;
}

/**
 * Boots a complete worker ecosystem from nothing: PostgreSQL from the provider
 * chain, one database and role per butler, one daemon per roster folder on the
 * worker's port block (switchboard first), each checked ready.
 */
export async function bootEcosystem(o: BootOptions = {}): Promise<Ecosystem> {
  const started = Date.now();
  const env = o.env ?? process.env;
  const progress = o.progress ?? (() => {});
  const parallelIndex = o.parallelIndex ?? 0;
  const base = o.portBase ?? envPortBase(env);
  const stamp = currentRunStamp(env);
  const runId = `${stamp.replace('-', '')}${randomBytes(2).toString('hex')}`;
  const runDir = path.resolve('.tmp/e2e-run', stamp, `w${parallelIndex}-${randomBytes(3).toString('hex')}`);
  mkdirSync(runDir, { recursive: true });
  const logFile = prepareRunLogOnce(stamp);
  const log = new RunLog(logFile, parallelIndex);
  const keep = env.E2E_KEEP === '1';

  ensureBuilt(progress);
  const roster = discoverRoster(o.rosterDir ?? defaultRosterDir(env));
  if (!roster.length) throw new Error(`no butler folders (with butler.toml) in ${o.rosterDir ?? defaultRosterDir(env)}`);
  const failed: BootFailure[] = [];
  const bootable = selectBootable(roster, failed);
  await assertPortsFree(bootable, parallelIndex, base);

  const phases: Record<string, number> = {};
  const model = modelSettings(env);
  let double: ModelDoubleHandle | undefined;
  let postgres: StartedPostgres | undefined;
  let supervisor: Supervisor | undefined;
  const pools = new Map<string, pg.Pool>();
  let provisioned: Awaited<ReturnType<typeof provisionButlerDatabases>> = {};
  const teardown = async () => {
    await supervisor?.shutdown().catch((e) => log.log('supervisor', 'error', 'supervisor.shutdown_failed', { error: String(e) }));
    await Promise.all([...pools.values()].map((p) => p.end().catch(() => {})));
    // The double lives in this process: it cannot outlive it, kept or not.
    await double?.close();
    if (keep) return;
    if (postgres?.provider === 'url') await dropButlerDatabases(postgres, provisioned).catch(() => {});
    await postgres?.stop();
    rmSync(runDir, { recursive: true, force: true });
  };

  try {
    if (model.mode === 'double') {
      double = await startModelDouble({ apiKey: model.apiKey!, log: componentLogger(log, 'model-double') });
      model.baseUrl = double.url;
    }
    phases.double = Date.now() - started;
    // Warm spares load the daemon code while PostgreSQL starts; each takes its
    // butler only when that butler's turn in the boot order comes.
    const baseEnv = daemonEnvironment(env, model, parallelIndex);
    let admin: (butler: string) => pg.Pool = () => {
      throw new Error('no butler database yet');
    };
    supervisor = new Supervisor({
      runDir,
      daemonEntry: DAEMON_ENTRY,
      log,
      echo: env.E2E_CONSOLE_LOGS === '1',
      registryLookup: async (name) => {
        const r = await admin('switchboard').query('select endpoint_url from butler_registry where name = $1', [name]);
        return r.rows[0]?.endpoint_url;
      },
    });
    const seed =
      env.E2E_TEMPLATES === '0'
        ? undefined
        : migratedTemplateSeed({
            roster: bootable,
            daemonEntry: DAEMON_ENTRY,
            env: baseEnv,
            runDir,
            ecosystemDir: path.resolve('ecosystem'),
            overlay: (b, db, server) => {
              const port = workerPort(b.tomlPort, parallelIndex, base);
              return stagingOverlay({ port, advertisedUrl: `http://127.0.0.1:${port}/mcp`, pg: server, db, worker: parallelIndex });
            },
          });
    const pgLog = (l: string) => log.log('postgres', 'info', 'postgres.log', { msg: l });
    const starting = startPostgres({ runDir, env, log: pgLog, seed });
    // Spawning is synchronous work for this process: begin PostgreSQL's start first.
    if (env.E2E_WARM_SPARES !== '0') supervisor.warm(bootable.length, baseEnv);
    postgres = await starting;
    const suffix = postgres.provider === 'url' ? `_${runId}_w${parallelIndex}` : '';
    const templates = postgres.seed ? await availableTemplates(postgres, bootable.map((b) => b.name)) : {};
    phases.postgres = Date.now() - started;
    // The switchboard's database first: it boots while the others are provisioned.
    const first = bootable.filter((b) => b.name === 'switchboard');
    const rest = bootable.filter((b) => b.name !== 'switchboard');
    provisioned = await provisionButlerDatabases(postgres, first.map((b) => b.name), { suffix, templates });
    const pgServer = postgres;
    let restError: unknown;
    const restProvisioned = provisionButlerDatabases(pgServer, rest.map((b) => b.name), { suffix, templates }).then(
      (r) => void Object.assign(provisioned, r),
      (err) => void (restError = err),
    );
    phases.provision_switchboard = Date.now() - started;
    const pgInfo = postgres;
    admin = (butler: string) => {
      const db = provisioned[butler]?.database;
      if (!db) throw new Error(`no database for butler "${butler}"`);
      let pool = pools.get(db);
      if (!pool) {
        pool = new pg.Pool({ connectionString: withDatabase(pgInfo.adminUrl, db), max: 4 });
        pool.on('error', () => {});
        pools.set(db, pool);
      }
      return pool;
    };

    const switchboardPort = workerPort(bootable.find((b) => b.name === 'switchboard')?.tomlPort ?? 8100, parallelIndex, base);
    const switchboardUrl = `http://127.0.0.1:${switchboardPort}/mcp`;
    const sup0 = supervisor;
    const defineButler = (b: RosterEntry) => {
      const port = workerPort(b.tomlPort, parallelIndex, base);
      const advertisedUrl = `http://127.0.0.1:${port}/mcp`;
      sup0.define({
        name: b.name,
        rosterDir: b.dir,
        port,
        advertisedUrl,
        env: baseEnv,
        overlay: stagingOverlay({
          port,
          advertisedUrl,
          pg: pgInfo,
          db: provisioned[b.name],
          switchboardUrl: b.name === 'switchboard' ? undefined : switchboardUrl,
          worker: parallelIndex,
        }),
      });
    };

    const sup = supervisor;
    const startOne = async (name: string) => {
      try {
        await sup.start(name, { readinessTimeoutMs: o.readinessTimeoutMs ?? 60_000 });
      } catch (err) {
        failed.push({ butler: name, message: (err as Error).message });
      }
    };
    progress(`booting ${bootable.length} butlers on ${postgres.provider} PostgreSQL ${postgres.version}`);
    first.forEach(defineButler);
    if (first.length) await startOne('switchboard');
    phases.switchboard = Date.now() - started;
    await restProvisioned;
    if (restError) throw restError;
    rest.forEach(defineButler);
    phases.provision = Date.now() - started;
    if (failed.some((f) => f.butler === 'switchboard')) {
      for (const b of bootable) if (b.name !== 'switchboard') failed.push({ butler: b.name, message: 'not started: the switchboard failed to boot' });
    } else {
      await Promise.all(bootable.filter((b) => b.name !== 'switchboard').map((b) => startOne(b.name)));
    }
    // Spares of butlers that never started (a failed switchboard) are not needed.
    await sup.dropSpares();

    const butlers: Record<string, ButlerHandle> = {};
    for (const b of bootable) {
      if (failed.some((f) => f.butler === b.name)) continue;
      const spec = sup.spec(b.name);
      butlers[b.name] = makeButlerHandle({ entry: b, spec, supervisorKey: b.name, db: provisioned[b.name], postgres, supervisor: sup, admin });
    }
    const { stop: _stop, ...pgPublic } = postgres;
    const pgStarted = postgres;
    const adHocs = new Set<AdHocButler>();
    const launchAdHoc = async (a: AdHocOptions): Promise<AdHocButler> => {
      const port = await freePort();
      const suffix = `_adhoc_${randomBytes(3).toString('hex')}`;
      const dbs = await provisionButlerDatabases(pgStarted, [a.name], { suffix });
      const db = dbs[a.name];
      const advertisedUrl = `http://127.0.0.1:${port}/mcp`;
      const key = `${a.name}${suffix}`;
      const adminPool = new pg.Pool({ connectionString: withDatabase(pgStarted.adminUrl, db.database), max: 2 });
      adminPool.on('error', () => {});
      sup.define({
        name: key,
        daemonName: a.name,
        rosterDir: a.rosterDir,
        port,
        advertisedUrl,
        env: baseEnv,
        overlay: stagingOverlay({ port, advertisedUrl, pg: pgStarted, db, switchboardUrl, worker: parallelIndex }),
      });
      const handle = makeButlerHandle({
        entry: { name: a.name, dir: a.rosterDir, tomlPort: port, modules: [], routable: true },
        spec: sup.spec(key),
        supervisorKey: key,
        db,
        postgres: pgStarted,
        supervisor: sup,
        admin: () => adminPool,
      });
      let disposed: Promise<void> | undefined;
      const adHoc: AdHocButler = Object.assign(handle, {
        dispose: () =>
          (disposed ??= (async () => {
            adHocs.delete(adHoc);
            await handle.closeClients();
            await sup.stop(key);
            await admin('switchboard').query('delete from butler_registry where name = $1 and endpoint_url = $2', [a.name, advertisedUrl]).catch(() => {});
            await adminPool.end().catch(() => {});
            await dropButlerDatabases(pgStarted, dbs).catch(() => {});
          })()),
      });
      adHocs.add(adHoc);
      try {
        await sup.start(key, {
          env: a.env,
          overlay: a.overlay,
          readinessTimeoutMs: a.readinessTimeoutMs ?? 60_000,
          skipRegistryCheck: a.expectRegistration === false,
        });
      } catch (err) {
        await adHoc.dispose();
        throw err;
      }
      return adHoc;
    };
    const eco: Ecosystem = {
      runId,
      parallelIndex,
      portBase: base,
      runDir,
      logFile,
      roster,
      butlers,
      failed,
      postgres: pgPublic,
      model,
      double,
      bootMs: Date.now() - started,
      bootPhases: phases,
      bootStartedAt: new Date(started),
      bootedAt: new Date(),
      attachedAt: new Date(),
      reused: false,
      supervisor: sup,
      log,
      admin,
      launchAdHoc,
      close: once(async () => {
        await Promise.all([...adHocs].map((h) => h.dispose()));
        await Promise.all(Object.values(butlers).map((b) => b.closeClients()));
        await teardown();
        if (keep) progress(keepMessage(eco));
        await log.close();
      }),
    };
    log.log('harness', 'info', 'ecosystem.ready', { boot_ms: eco.bootMs, phases, provider: postgres.provider, failed: failed.map((f) => f.butler) });
    // The boot is done: let the provider prepare the next cluster (close() waits for it).
    if (!keep) postgres.prepareNext?.();
    return eco;
  } catch (err) {
    await teardown();
    await log.close();
    throw err;
  }
}

/** The per-worker overlay every staged butler gets (infrastructure.md §4). */
function stagingOverlay(o: {
  port: number;
  advertisedUrl: string;
  pg: { host: string; port: number };
  db: { database: string; role: string; password: string };
  switchboardUrl?: string;
  worker: number;
}): Record<string, any> {
  return {
    advertised_url: o.advertisedUrl,
    butler: { port: o.port },
    db: { host: o.pg.host, port: o.pg.port, name: o.db.database, user: o.db.role, password: o.db.password, provision: false },
    ...(o.switchboardUrl ? { switchboard: { url: o.switchboardUrl } } : {}),
    scheduler: { auto_tick: false },
    approval_gates: { timeout_s: 15 },
    log: { level: 'debug', worker: o.worker },
  };
}

function componentLogger(log: RunLog, component: string) {
  const at = (level: 'debug' | 'info' | 'warn') => (obj: object, msg?: string) =>
    log.log(component, level, String((obj as { event?: string }).event ?? `${component}.${level}`), { ...obj, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn') };
}

function selectBootable(roster: RosterEntry[], failed: BootFailure[]): RosterEntry[] {
  const seen = new Map<number, string>();
  const out: RosterEntry[] = [];
  for (const b of roster) {
    if (b.problem) {
      failed.push({ butler: b.name, message: b.problem });
      continue;
    }
    const other = seen.get(b.tomlPort);
    if (other) {
      failed.push({ butler: b.name, message: `${path.join(b.dir, 'butler.toml')}: butler.port ${b.tomlPort} is already used by ${other}; give each butler its own port` });
      continue;
    }
    seen.set(b.tomlPort, b.name);
    out.push(b);
  }
  return out;
}

async function assertPortsFree(bootable: RosterEntry[], parallelIndex: number, base: number): Promise<void> {
  for (const b of bootable) {
    const port = workerPort(b.tomlPort, parallelIndex, base);
    if (!(await isPortFree(port))) throw Object.assign(new Error(portTakenMessage(port, b.name, listenerPid(port))), { code: 'port_taken' });
  }
}

const preparedStamps = new Set<string>();
function prepareRunLogOnce(stamp: string): string {
  if (!preparedStamps.has(stamp)) {
    preparedStamps.add(stamp);
    return prepareRunLog(stamp);
  }
  return path.resolve('.tmp/e2e-logs', `e2e-${stamp}.log`);
}

function keepMessage(eco: Ecosystem): string {
  const cleanup =
    eco.postgres.provider === 'testcontainers'
      ? 'docker ps --filter ancestor=<image> then docker rm -f <container>'
      : eco.postgres.provider === 'url'
        ? `drop the databases and roles ending in _${eco.runId}_w${eco.parallelIndex}`
        : eco.postgres.dataDir
          ? `kill -INT $(head -1 ${eco.postgres.dataDir}/postmaster.pid); rm -rf ${path.dirname(eco.postgres.dataDir)} ${eco.runDir}`
          : `rm -rf ${eco.runDir}`;
  return [
    'E2E_KEEP=1: the daemons were stopped; PostgreSQL and every butler database were left up for inspection.',
    `  inspect: psql ${eco.postgres.adminUrl}   (databases: ${Object.values(eco.butlers).map((b) => b.database).join(', ')})`,
    `  cleanup: ${cleanup}`,
  ].join('\n');
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.href;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
