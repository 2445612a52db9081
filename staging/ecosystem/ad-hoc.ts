import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { makeButlerHandle } from '../butler-handle.ts';
import { freePort } from '../ports.ts';
import { dropButlerDatabases, provisionButlerDatabases, type StartedPostgres } from '../postgres/index.ts';
import { withDatabase } from '../postgres/urls.ts';
import type { Supervisor } from '../supervisor/supervisor.ts';
import { readRosterEntry } from '../roster.ts';
import { loopbackMcpUrl, stagingOverlay } from './overlay.ts';
import type { AdHocButler, AdHocOptions } from './types.ts';

export interface AdHocContext {
  supervisor: Supervisor;
  postgres: StartedPostgres;
  baseEnv: Record<string, string>;
  switchboardUrl: string;
  worker: number;
  /** Admin pool on the switchboard's database, to remove the registry row at dispose. */
  switchboardDb: () => pg.Pool;
}

/**
 * Launches one-off butlers beside a booted ecosystem: a spare port, a
 * database of its own, registration with the ecosystem's switchboard.
 * `disposeAll()` removes every one still running (the ecosystem's close).
 */
export function adHocLauncher(c: AdHocContext) {
  const live = new Set<AdHocButler>();

  const launch = async (a: AdHocOptions): Promise<AdHocButler> => {
    const port = await freePort();
    const suffix = `_adhoc_${randomBytes(3).toString('hex')}`;
    const dbs = await provisionButlerDatabases(c.postgres, [a.name], { suffix });
    const db = dbs[a.name];
    const advertisedUrl = loopbackMcpUrl(port);
    const key = `${a.name}${suffix}`;
    const adminPool = new pg.Pool({ connectionString: withDatabase(c.postgres.adminUrl, db.database), max: 2 });
    adminPool.on('error', () => {});
    c.supervisor.define({
      name: key,
      daemonName: a.name,
      rosterDir: a.rosterDir,
      port,
      advertisedUrl,
      env: c.baseEnv,
      overlay: {
        ...stagingOverlay({ port, advertisedUrl, pg: c.postgres, db, switchboardUrl: c.switchboardUrl, worker: c.worker }),
        // The roster's butler.toml names a switchboard too: only switchboard.register = false keeps a copy out of the registry.
        ...(a.register === false ? { switchboard: { url: c.switchboardUrl, register: false } } : {}),
      },
    });
    const handle = makeButlerHandle({
      // Modules and routable as the folder's butler.toml declares them; the port is this launch's.
      entry: (() => {
        const declared = readRosterEntry(a.rosterDir);
        return { name: a.name, dir: a.rosterDir, tomlPort: port, modules: declared.modules, routable: declared.routable };
      })(),
      spec: c.supervisor.spec(key),
      supervisorKey: key,
      db,
      postgres: c.postgres,
      supervisor: c.supervisor,
      admin: () => adminPool,
    });
    let disposed: Promise<void> | undefined;
    const unregistered = a.expectRegistration === false || a.register === false;
    const restart = handle.restart.bind(handle);
    const adHoc: AdHocButler = Object.assign(handle, {
      // Restarts wait for what the first start waited for: no registry row for an unregistered copy.
      restart: (o: Parameters<typeof handle.restart>[0] = {}) => restart({ skipRegistryCheck: unregistered, ...o }),
      dispose: () =>
        (disposed ??= (async () => {
          live.delete(adHoc);
          await handle.closeClients();
          await c.supervisor.stop(key);
          await c.switchboardDb().query('delete from butler_registry where name = $1 and endpoint_url = $2', [a.name, advertisedUrl]).catch(() => {});
          await adminPool.end().catch(() => {});
          await dropButlerDatabases(c.postgres, dbs).catch(() => {});
        })()),
    });
    live.add(adHoc);
    try {
      await c.supervisor.start(key, {
        env: a.env,
        overlay: a.overlay,
        readinessTimeoutMs: a.readinessTimeoutMs ?? 60_000,
        skipRegistryCheck: unregistered,
      });
    } catch (err) {
      await adHoc.dispose();
      throw err;
    }
    return adHoc;
  };

  return {
    launch,
    disposeAll: async () => void (await Promise.all([...live].map((h) => h.dispose()))),
  };
}
