import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, chmod, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PgBinaries } from './binaries.ts';
import type { PgOsUser } from './os-user.ts';

const run = promisify(execFile);
export const SHARED_BIN_ROOT = '/var/tmp/butlers-e2e-pg-bin';

/** Whether `owner` may traverse every folder from / down to `dir`. */
export async function traversableBy(dir: string, owner: PgOsUser): Promise<boolean> {
  for (let current = dir; ; current = path.dirname(current)) {
    const info = await stat(current);
    const bit = info.uid === owner.uid ? 0o100 : info.gid === owner.gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

/**
 * As root, PostgreSQL runs as a dedicated OS user, which must be able to reach
 * its own binaries. A checkout under a private folder (a 0700 `mktemp -d`, a
 * home directory) hides node_modules from it, so the installation
 * (bin, lib, share) is copied once to a world-readable cache and used from there.
 */
export async function reachableBinaries(b: PgBinaries, owner: PgOsUser | undefined, log: (l: string) => void): Promise<PgBinaries> {
  if (!owner || (await traversableBy(path.dirname(b.initdb), owner))) return b;
  const installRoot = path.dirname(path.dirname(b.initdb));
  const key = createHash('sha256').update(`${installRoot}:${(await stat(b.postgres)).size}:${(await stat(b.postgres)).mtimeMs}`).digest('hex').slice(0, 12);
  const target = path.join(SHARED_BIN_ROOT, key);
  const relocated = {
    initdb: path.join(target, path.relative(installRoot, b.initdb)),
    postgres: path.join(target, path.relative(installRoot, b.postgres)),
    source: `${b.source}, copied to ${target}`,
  };
  const ready = await access(relocated.postgres).then(
    () => true,
    () => false,
  );
  if (!ready) {
    await mkdir(SHARED_BIN_ROOT, { recursive: true });
    await chmod(SHARED_BIN_ROOT, 0o755);
    const partial = `${target}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await run('cp', ['-a', installRoot, partial]);
    await run('chmod', ['-R', 'a+rX', partial]);
    await rename(partial, target).catch(async (err) => {
      await rm(partial, { recursive: true, force: true });
      // Another worker finished the same copy first: fine.
      if (!(await access(relocated.postgres).then(() => true, () => false))) throw err;
    });
    log(`postgres: ${installRoot} is not reachable by OS user ${owner.name}; binaries copied to ${target}`);
  }
  return relocated;
}
