import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, readdir, readFile, realpath, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PgBinaries } from './binaries.ts';
import type { PgOsUser } from './os-user.ts';
import { scratchRoot } from './scratch.ts';

const run = promisify(execFile);

/**
 * initdb costs 1-2 s on a small machine, copying its result ~0.1 s. A pristine
 * data folder (never started) is kept per binaries+OS user under the scratch
 * root (scratch.ts: /dev/shm when roomy, else the OS temp dir) and copied for each new cluster. Bump when initdb arguments change.
 * A seeded entry (`<key>-<seed key>`) holds a cluster after a ClusterSeed was
 * built in it (cleanly shut down); only the newest few per key are kept.
 * E2E_PG_INITDB_CACHE=0 turns the cache off.
 */
const CACHE_FORMAT = 2;

export function cacheEnabled(env: NodeJS.ProcessEnv): boolean {
  return env.E2E_PG_INITDB_CACHE !== '0';
}

function cacheRoot(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return path.join(scratchRoot(), `butlers-e2e-initdb-${uid}`);
}

export async function cacheKey(binaries: PgBinaries, owner: PgOsUser | undefined): Promise<string> {
  const real = await realpath(binaries.postgres);
  const info = await stat(real);
  const material = [CACHE_FORMAT, real, info.size, info.mtimeMs, owner?.uid ?? 'self'].join('\0');
  return createHash('sha256').update(material).digest('hex').slice(0, 16);
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Copies the cached pristine data folder to `dataDir`; returns its admin password, or undefined on a miss. */
export async function restorePristine(key: string, dataDir: string): Promise<string | undefined> {
  const entry = path.join(cacheRoot(), key);
  if (!(await exists(path.join(entry, 'data', 'PG_VERSION')))) return undefined;
  try {
    const password = (await readFile(path.join(entry, 'password'), 'utf8')).trim();
    // -a keeps the postgres OS user's ownership and the 0700 mode postgres insists on.
    await run('cp', ['-a', path.join(entry, 'data'), dataDir]);
    await touch(entry);
    return password;
  } catch {
    await rm(dataDir, { recursive: true, force: true });
    await rm(entry, { recursive: true, force: true });
    return undefined;
  }
}

/** Stores a freshly initialised, never started data folder; best effort, concurrent savers are fine. */
export async function savePristine(key: string, dataDir: string, password: string): Promise<void> {
  const root = cacheRoot();
  const entry = path.join(root, key);
  const staging = `${entry}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(root, { recursive: true, mode: 0o700 });
    await mkdir(staging, { mode: 0o700 });
    await run('cp', ['-a', dataDir, path.join(staging, 'data')]);
    await writeFile(path.join(staging, 'password'), `${password}\n`, { mode: 0o600 });
    await rename(staging, entry);
  } catch {
    // Another worker won the race, or the temp dir is unusable: the next run simply runs initdb.
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The cache entry of `seedKey` built on top of initdb entry `key`. */
export function seededKey(key: string, seedKey: string): string {
  return `${key}-${seedKey}`;
}

/**
 * Keeps the `keep` most recently used seeded entries of all binaries (each is
 * a whole cluster, and a spare copy, in what may be RAM) and removes the rest.
 * Best effort.
 */
export async function pruneSeeded(keep = 2): Promise<void> {
  const root = cacheRoot();
  try {
    const names = (await readdir(root)).filter((n) => !n.includes('.tmp-'));
    const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(path.join(root, n))).mtimeMs })));
    dated.sort((a, b) => b.t - a.t);
    // Seeded entries are `<key>-<seed key>`; pristine ones (28 MB) get a little more room.
    const seeded = dated.filter(({ n }) => n.includes('-'));
    const pristine = dated.filter(({ n }) => !n.includes('-'));
    const drop = [...seeded.slice(keep), ...pristine.slice(keep + 1)];
    await Promise.all(drop.map(({ n }) => rm(path.join(root, n), { recursive: true, force: true })));
  } catch {
    /* nothing to prune */
  }
}

/**
 * A spare: one ready-made copy of an entry's data folder, made while the
 * machine is otherwise idle (after a boot), so the next cluster claims it
 * with one rename instead of copying thousands of files on its critical path.
 */
function spareDir(key: string): string {
  return path.join(cacheRoot(), key, 'spare');
}

/** Moves the entry's spare copy to `dataDir`; returns the admin password, or undefined when there is none. */
export async function claimSpare(key: string, dataDir: string): Promise<string | undefined> {
  const entry = path.join(cacheRoot(), key);
  try {
    const password = (await readFile(path.join(entry, 'password'), 'utf8')).trim();
    // Atomic: of two workers claiming at once, one gets it, the other copies.
    await rename(spareDir(key), dataDir);
    await touch(entry);
    return password;
  } catch {
    return undefined;
  }
}

/** Makes the entry's spare copy if it has none; best effort. */
export async function replenishSpare(key: string): Promise<void> {
  const entry = path.join(cacheRoot(), key);
  if (!(await exists(path.join(entry, 'data', 'PG_VERSION'))) || (await exists(spareDir(key)))) return;
  const staging = `${spareDir(key)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await run('cp', ['-a', path.join(entry, 'data'), staging]);
    await rename(staging, spareDir(key));
  } catch {
    /* another process made one meanwhile, or the cache went away */
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Marks an entry used, so pruneSeeded() keeps the ones in use rather than the newest built. */
async function touch(entry: string): Promise<void> {
  const now = new Date();
  await utimes(entry, now, now).catch(() => undefined);
}
