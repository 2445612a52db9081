import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The OS identity a local cluster runs under when we are root. */
export interface PgOsUser {
  name: string;
  uid: number;
  gid: number;
}

export const PG_OS_USER = 'butlers-pg';

let cached: Promise<PgOsUser | undefined> | undefined;

async function lookup(name: string): Promise<PgOsUser | undefined> {
  try {
    const { stdout } = await run('getent', ['passwd', name]);
    const fields = stdout.trim().split(':');
    return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
  } catch {
    return undefined;
  }
}

async function ensure(name: string): Promise<PgOsUser> {
  const existing = await lookup(name);
  if (existing) return existing;
  try {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name]);
  } catch (err) {
    // Another worker may have created it between our lookup and useradd.
    const raced = await lookup(name);
    if (raced) return raced;
    throw new Error(
      `PostgreSQL refuses to run as root and creating OS user ${name} failed (${(err as Error).message.split('\n')[0]}); ` +
        `create it yourself (useradd --system ${name}) or run the suite as a normal user`,
    );
  }
  const created = await lookup(name);
  if (!created) throw new Error(`useradd ${name} reported success but getent cannot find the user`);
  return created;
}

/**
 * PostgreSQL refuses to run as root. As root this returns a dedicated system
 * user (created once, reused afterwards) to run initdb/postgres as; as a
 * normal user it returns undefined and the cluster runs as ourselves.
 */
export function pgOsUser(): Promise<PgOsUser | undefined> {
  if (typeof process.geteuid !== 'function' || process.geteuid() !== 0) return Promise.resolve(undefined);
  cached ??= ensure(PG_OS_USER).catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}
