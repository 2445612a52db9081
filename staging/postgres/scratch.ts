import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Linux statfs f_type of tmpfs. */
const TMPFS_MAGIC = 0x01021994;
/** Free space a tmpfs must have before clusters and their cache go there. */
const MIN_FREE_BYTES = 1024 * 1024 * 1024;

/**
 * Where local clusters and the initdb cache live. A cluster is thousands of
 * small files copied, written and removed once per boot; on a tmpfs that is
 * memory work (a 74 MB seeded cluster copies in ~0.15 s), on a disk with
 * `discard` it measured 0.4-0.9 s. So: `E2E_PG_SCRATCH` if set, else
 * /dev/shm when it is a writable tmpfs with at least 1 GB free (a Docker
 * container's default 64 MB /dev/shm is not), else the OS temp dir.
 */
export function scratchRoot(env: NodeJS.ProcessEnv = process.env): string {
  const forced = env.E2E_PG_SCRATCH?.trim();
  if (forced) return forced;
  return roomyTmpfs('/dev/shm') ? '/dev/shm' : os.tmpdir();
}

/** statfs f_type of /proc and /sys: kernel filesystems where no cluster can live (and where a recursive mkdir never returns). */
const KERNEL_FS = new Set([0x9fa0, 0x62656572]);
/** A cluster with its spare copy and cache entry takes about 150 MB; refuse a folder with less than this free. */
const MIN_SCRATCH_BYTES = 256 * 1024 * 1024;

/**
 * Creates the scratch root if needed and checks a cluster fits there, so a
 * bad E2E_PG_SCRATCH or a full disk is one sentence naming the folder and
 * the fix instead of an error from deep inside initdb or cp.
 */
export function ensureScratch(root: string, env: NodeJS.ProcessEnv = process.env): void {
  const named = env.E2E_PG_SCRATCH?.trim() ? `E2E_PG_SCRATCH=${root}` : `the scratch folder ${root}`;
  const fix = env.E2E_PG_SCRATCH?.trim() ? 'point E2E_PG_SCRATCH at a writable folder or unset it' : 'set E2E_PG_SCRATCH to a writable folder';
  let existing = path.resolve(root);
  while (!existsSync(existing)) existing = path.dirname(existing);
  if (KERNEL_FS.has(statfsSync(existing).type)) throw new Error(`${named} is inside a kernel filesystem (${existing}); ${fix}`);
  if (!statSync(existing).isDirectory()) throw new Error(`${named} cannot be used: ${existing} is a file, not a folder; ${fix}`);
  try {
    mkdirSync(root, { recursive: true });
    accessSync(root, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new Error(`${named} cannot be created or written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ${fix}`);
  }
  const fs = statfsSync(root);
  const free = fs.bavail * fs.bsize;
  if (free < MIN_SCRATCH_BYTES) {
    throw new Error(
      `${named} has only ${Math.round(free / 1048576)} MB free and a cluster needs about 150 MB; free some space there or point E2E_PG_SCRATCH at a roomier folder`,
    );
  }
}

function roomyTmpfs(dir: string): boolean {
  if (process.platform !== 'linux' || !existsSync(dir)) return false;
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    const s = statfsSync(dir);
    return s.type === TMPFS_MAGIC && s.bavail * s.bsize >= MIN_FREE_BYTES;
  } catch {
    return false;
  }
}

/** Written into each cluster folder under the scratch root: who owns it, and whether E2E_KEEP asked to keep it. */
const OWNER_FILE = 'OWNER.json';
/** A folder without an owner file (an older harness, or one that died right after mkdtemp) must be this old before it is swept. */
const ORPHAN_AGE_MS = 10 * 60_000;

interface OwnerRecord {
  pid: number;
  /** /proc/<pid>/stat start time, so a reused pid is not mistaken for the owner. */
  start: string | null;
  keep: boolean;
}

function processStart(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Marks `folder` as this process's cluster folder; `keep` (E2E_KEEP=1) exempts it from sweeping after we exit. */
export function writeClusterOwner(folder: string, keep: boolean): void {
  const record: OwnerRecord = { pid: process.pid, start: processStart(process.pid), keep };
  writeFileSync(path.join(folder, OWNER_FILE), `${JSON.stringify(record)}\n`);
}

/**
 * Removes `butlers-pg-*` cluster folders under `root` whose harness died
 * without stopping its cluster (SIGKILL, OOM, a CI timeout): on a tmpfs each
 * is ~75 MB of RAM until reboot. A folder is stale when its owner process is
 * gone (or its pid was reused) and it was not kept with E2E_KEEP=1; a folder
 * without an owner record when it is older than 10 minutes. A postmaster
 * still running in a stale folder gets SIGQUIT first. Only folders whose
 * owner record (or, without one, the folder) belongs to this OS user are
 * touched, or any when root. Never throws; returns what it removed.
 */
export async function sweepStaleClusters(root: string): Promise<{ removed: string[]; bytes: number }> {
  const removed: string[] = [];
  let bytes = 0;
  const uid = process.getuid?.() ?? -1;
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith('butlers-pg-'));
  } catch {
    return { removed, bytes };
  }
  for (const name of names) {
    const folder = path.join(root, name);
    try {
      if (!isStale(folder, uid)) continue;
      const postmaster = runningPostmaster(folder);
      if (postmaster !== null) {
        // Without /proc the pid cannot be proven to be that postgres: leave the folder alone.
        if (process.platform !== 'linux') continue;
        process.kill(postmaster, 'SIGQUIT');
        for (let i = 0; i < 40 && alive(postmaster); i++) await new Promise((r) => setTimeout(r, 50));
      }
      const size = folderBytes(folder);
      rmSync(folder, { recursive: true, force: true });
      removed.push(folder);
      bytes += size;
    } catch {
      /* someone else's, or gone meanwhile: leave it */
    }
  }
  return { removed, bytes };
}

function isStale(folder: string, uid: number): boolean {
  const ownerFile = path.join(folder, OWNER_FILE);
  if (existsSync(ownerFile)) {
    if (uid !== 0 && statSync(ownerFile).uid !== uid) return false;
    const owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as OwnerRecord;
    if (owner.keep) return false;
    if (!alive(owner.pid)) return true;
    const start = processStart(owner.pid);
    return owner.start !== null && start !== null && start !== owner.start;
  }
  const st = statSync(folder);
  if (uid !== 0 && st.uid !== uid) return false;
  if (Date.now() - st.mtimeMs < ORPHAN_AGE_MS) return false;
  // An old folder whose postmaster still runs may be someone's kept cluster from before owner records: leave it.
  return runningPostmaster(folder) === null;
}

/** The pid of a postmaster running on `folder`/data: postmaster.pid's pid, alive, and (where /proc exists) really that postgres. */
function runningPostmaster(folder: string): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(path.join(folder, 'data', 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
  } catch {
    return null;
  }
  if (!alive(pid)) return null;
  try {
    // A reused pid must never be signalled: the command line must name this data folder.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.join(folder, 'data')) ? pid : null;
  } catch {
    return process.platform === 'linux' ? null : pid;
  }
}

function folderBytes(folder: string): number {
  let total = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += statSync(p).size;
    }
  };
  try {
    walk(folder);
  } catch {
    /* a size for the log line only */
  }
  return total;
}
