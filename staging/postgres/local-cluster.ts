import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PgBinaries } from './binaries.ts';
import type { ProviderContext } from './chain.ts';
import { cacheEnabled, cacheKey, claimSpare, pruneSeeded, replenishSpare, restorePristine, savePristine, seededKey } from './initdb-cache.ts';
import { pgOsUser, type PgOsUser } from './os-user.ts';
import { reachableBinaries, traversableBy } from './reachable-binaries.ts';
import { ensureScratch, scratchRoot, sweepStaleClusters, writeClusterOwner } from './scratch.ts';
import { childEnv, freePort, spawnPostgres, type PgProcess } from './pg-process.ts';
import { inspectServer } from './server-info.ts';
import type { ClusterSeed, StartedServer } from './types.ts';
import { freezeTree, type FrozenTree } from '../chaos/process-tree.ts';

const run = promisify(execFile);
const ADMIN = 'postgres';
// sockaddr_un.sun_path holds 108 bytes including the terminator.
const MAX_SOCKET_PATH = 100;

/**
 * Picks the folder the cluster lives in: a private folder under the scratch
 * root when that is a tmpfs or E2E_PG_SCRATCH (see scratch.ts), else
 * `<runDir>/pg`, or a private folder in the OS temp dir when the postgres OS
 * user cannot reach runDir. Elsewhere is named in `<runDir>/pg/CLUSTER_LOCATION`.
 */
async function clusterFolder(runDir: string, owner: PgOsUser | undefined, env: NodeJS.ProcessEnv, log: ProviderContext['log']): Promise<string> {
  const base = path.resolve(runDir, 'pg');
  await rm(base, { recursive: true, force: true });
  await mkdir(base, { recursive: true });
  const scratch = scratchRoot(env);
  const reason =
    scratch !== os.tmpdir()
      ? `scratch root ${scratch}`
      : owner && !(await traversableBy(base, owner))
        ? `${base} is not reachable by OS user ${owner.name}`
        : null;
  if (!reason) return base;
  ensureScratch(scratch, env);
  const swept = await sweepStaleClusters(scratch);
  if (swept.removed.length) {
    log(`postgres: removed ${swept.removed.length} cluster folder(s) left in ${scratch} by harness processes that died without stopping them (${Math.round(swept.bytes / 1048576)} MB)`);
  }
  const elsewhere = await mkdtemp(path.join(scratch, 'butlers-pg-'));
  writeClusterOwner(elsewhere, env.E2E_KEEP === '1');
  await writeFile(path.join(base, 'CLUSTER_LOCATION'), `${elsewhere}\n`);
  log(`postgres: cluster lives in ${elsewhere} (${reason})`);
  return elsewhere;
}

async function runInitdb(binaries: PgBinaries, folder: string, dataDir: string, owner: PgOsUser | undefined): Promise<string> {
  const password = randomBytes(18).toString('hex');
  const pwfile = path.join(folder, 'pwfile');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) await chown(pwfile, owner.uid, owner.gid);
  const args = ['-D', dataDir, '-U', ADMIN, `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale'];
  // 1 MB WAL segments instead of 16: a smaller folder to create, cache and copy.
  args.push('--auth-local=trust', '--auth-host=scram-sha-256', '-N', '--no-instructions', '--wal-segsize=1');
  try {
    await run(binaries.initdb, args, { env: childEnv(), ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) });
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message);
    const detail = stderr.trim().split('\n').slice(-3).join(' | ');
    if (/no space left on device/i.test(stderr)) {
      throw new Error(`initdb (${binaries.source}) failed: ${detail}; ${folder} is full: free some space there or point E2E_PG_SCRATCH at a roomier folder`);
    }
    throw new Error(`initdb (${binaries.source}) failed: ${detail}`);
  } finally {
    await rm(pwfile, { force: true });
  }
  return password;
}

/**
 * The data folder: a copy of the seeded cache entry when there is one (then
 * `seeded`), else a copy of the initdb cache, else initdb (then cached).
 */
async function prepareData(
  binaries: PgBinaries,
  folder: string,
  owner: PgOsUser | undefined,
  env: NodeJS.ProcessEnv,
  seed: ClusterSeed | undefined,
): Promise<{ dataDir: string; password: string; how: string; key: string; seeded: boolean }> {
  const dataDir = path.join(folder, 'data');
  if (owner) await chown(folder, owner.uid, owner.gid);
  const useCache = cacheEnabled(env);
  const key = useCache ? await cacheKey(binaries, owner) : '';
  const began = Date.now();
  if (useCache && seed) {
    const spare = await claimSpare(seededKey(key, seed.key), dataDir);
    if (spare) return { dataDir, password: spare, how: `data claimed from the seeded cache's spare copy in ${Date.now() - began} ms`, key, seeded: true };
    const password = await restorePristine(seededKey(key, seed.key), dataDir);
    if (password) return { dataDir, password, how: `data copied from the seeded cache in ${Date.now() - began} ms`, key, seeded: true };
  }
  if (useCache) {
    const password = await restorePristine(key, dataDir);
    if (password) return { dataDir, password, how: `data copied from initdb cache in ${Date.now() - began} ms`, key, seeded: false };
  }
  const password = await runInitdb(binaries, folder, dataDir, owner);
  const how = `initdb ${Date.now() - began} ms`;
  if (useCache) await savePristine(key, dataDir, password);
  return { dataDir, password, how, key, seeded: false };
}

/** Throwaway test clusters only: any local client may connect as any role without a password. */
async function trustLoopback(dataDir: string): Promise<void> {
  // Rewriting the existing file keeps its owner (the postgres OS user) and mode.
  await writeFile(path.join(dataDir, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n');
}

async function startOnFreePort(binaries: PgBinaries, folder: string, dataDir: string, owner: PgOsUser | undefined, keepOnExit: boolean): Promise<PgProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const socketDir = path.join(folder, 'sock');
    const usable = `${socketDir}/.s.PGSQL.${port}`.length <= MAX_SOCKET_PATH;
    if (usable) {
      await mkdir(socketDir, { recursive: true });
      if (owner) await chown(socketDir, owner.uid, owner.gid);
    }
    const options = { postgres: binaries.postgres, dataDir, socketDir: usable ? socketDir : null, logFile: path.join(folder, 'postgres.log'), owner, keepOnExit };
    try {
      return await spawnPostgres(options, port);
    } catch (err) {
      // Another process may take the port between freePort() and bind; try a new one.
      if (!(err as { portTaken?: boolean }).portTaken || attempt >= 3) throw err;
    }
  }
}

/**
 * A fresh cluster from `binaries`, shared by the embedded and system providers:
 * initdb into the run folder, postgres on a free 127.0.0.1 port with staging
 * speed settings, run as a dedicated OS user when we are root.
 */
export async function startLocalCluster(
  provider: 'embedded' | 'system',
  binaries: PgBinaries,
  ctx: ProviderContext,
): Promise<StartedServer> {
  const started = Date.now();
  const owner = await pgOsUser();
  binaries = await reachableBinaries(binaries, owner, ctx.log);
  const runFolder = path.resolve(ctx.runDir, 'pg');
  const folder = await clusterFolder(ctx.runDir, owner, ctx.env, ctx.log);
  const removeAll = async (): Promise<void> => {
    await rm(folder, { recursive: true, force: true });
    await rm(runFolder, { recursive: true, force: true });
  };
  let proc: PgProcess | undefined;
  try {
    const { dataDir, password, how, key, seeded } = await prepareData(binaries, folder, owner, ctx.env, ctx.seed);
    if (ctx.hostAuth === 'trust') await trustLoopback(dataDir);
    const keep = ctx.env.E2E_KEEP === '1';
    proc = await startOnFreePort(binaries, folder, dataDir, owner, keep);
    // A copied cluster carries the cached password; each cluster gets its own.
    const fresh = randomBytes(18).toString('hex');
    const info = await inspectServer(`postgres://${ADMIN}:${password}@127.0.0.1:${proc.port}/postgres`, fresh);
    let adminUrl = `postgres://${ADMIN}:${fresh}@127.0.0.1:${proc.port}/postgres`;
    let seedState: 'cached' | 'built' | undefined = seeded ? 'cached' : undefined;
    let seedNote = '';
    if (ctx.seed && !seeded && key) {
      // Build the seed once, then keep a cleanly shut down copy for later clusters.
      const t = Date.now();
      await ctx.seed.build({ provider, adminUrl, host: '127.0.0.1', port: proc.port, ...info, stop: async () => {} }, ctx.log);
      await proc.stop();
      await savePristine(seededKey(key, ctx.seed.key), dataDir, fresh);
      await pruneSeeded();
      proc = await startOnFreePort(binaries, folder, dataDir, owner, keep);
      adminUrl = `postgres://${ADMIN}:${fresh}@127.0.0.1:${proc.port}/postgres`;
      seedState = 'built';
      seedNote = `, seed built and cached in ${Date.now() - t} ms`;
    }
    ctx.log(
      `postgres: ${provider} ${info.version} (${binaries.source}) ready on 127.0.0.1:${proc.port} in ${Date.now() - started} ms ` +
        `(${how}${seedNote}${owner ? `, as OS user ${owner.name}` : ''})`,
    );
    const running = proc;
    let stopping: Promise<void> | undefined;
    let preparing: Promise<void> = Promise.resolve();
    let frozen: FrozenTree | undefined;
    const spareKey = seedState && ctx.seed ? seededKey(key, ctx.seed.key) : undefined;
    return {
      provider,
      adminUrl,
      host: '127.0.0.1',
      port: running.port,
      dataDir,
      ...info,
      ...(seedState ? { seed: seedState } : {}),
      ...(spareKey ? { prepareNext: () => void (preparing = replenishSpare(spareKey)) } : {}),
      pause: async () => {
        frozen ??= freezeTree(running.pid);
      },
      resume: async () => {
        frozen?.thaw();
        frozen = undefined;
      },
      stop: () => {
        // A paused cluster cannot shut down: thaw it first.
        frozen?.thaw();
        return (stopping ??= Promise.all([running.stop(), preparing]).then(removeAll));
      },
    };
  } catch (err) {
    await proc?.stop();
    await removeAll();
    throw err;
  }
}
