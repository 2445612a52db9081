import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A throwaway PostgreSQL cluster for roster unit tests (trust auth, fsync off). */
export interface ThrowawayCluster {
  host: string;
  port: number;
  /** Superuser created by initdb. */
  user: string;
  /** Connection string for one database of this cluster. */
  url(database: string): string;
  /** Stops the server and removes its data directory; safe to call twice. */
  stop(): Promise<void>;
}

const PORT_MIN = 15600;
const PORT_MAX = 15699;

/** Highest installed Debian PostgreSQL, overridable with ROSTER_TEST_PG_BIN. */
function findPgBin(): string {
  const fromEnv = process.env.ROSTER_TEST_PG_BIN;
  if (fromEnv) {
    if (!existsSync(join(fromEnv, 'initdb'))) {
      throw new Error(`ROSTER_TEST_PG_BIN=${fromEnv}: no initdb there; point it at a PostgreSQL bin directory`);
    }
    return fromEnv;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'roster unit tests need PostgreSQL binaries: none under /usr/lib/postgresql/*/bin; ' +
        'install postgresql (apt-get install postgresql) or set ROSTER_TEST_PG_BIN',
    );
  }
  return join(root, versions[0], 'bin');
}

/** PostgreSQL refuses to run as root, so as root we drop to an unprivileged user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const name = process.env.ROSTER_TEST_PG_USER ?? 'postgres';
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      `PostgreSQL refuses to run as root and user "${name}" does not exist; ` +
        `create it (useradd -r ${name}) or set ROSTER_TEST_PG_USER to an existing non-root user`,
    );
  }
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function pickPort(): Promise<number> {
  const start = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN + 1));
  for (let i = 0; i <= PORT_MAX - PORT_MIN; i++) {
    const port = PORT_MIN + ((start - PORT_MIN + i) % (PORT_MAX - PORT_MIN + 1));
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free port in ${PORT_MIN}-${PORT_MAX} for the throwaway PostgreSQL cluster`);
}

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`throwaway postgres exited (${child.exitCode ?? child.signalCode}) before accepting connections:\n${output()}`);
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        throw new Error(`throwaway postgres not accepting connections at ${url} after ${timeoutMs} ms:\n${output()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** initdb + postgres in a temp dir on a free port in 15600-15699. */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const bin = findPgBin();
  const ids = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'roster-pg-'));
  const dataDir = join(dir, 'data');
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' };
  const user = 'postgres';
  execFileSync(join(bin, 'initdb'), ['-D', dataDir, '-U', user, '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C'], {
    env,
    cwd: dir,
    stdio: 'pipe',
    ...ids,
  });

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await pickPort();
    const args = ['-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=60'];
    const child = spawn(join(bin, 'postgres'), args, { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], ...ids });
    let log = '';
    child.stdout?.on('data', (d) => (log += d));
    child.stderr?.on('data', (d) => (log += d));
    // A crashed test worker must not leave a postgres behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const url = (db: string) => `postgres://${user}@127.0.0.1:${port}/${db}`;
    try {
      await waitReady(url('postgres'), child, () => log, 30_000);
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      process.removeListener('exit', killOnExit);
      continue;
    }
    let stopped = false;
    return {
      host: '127.0.0.1',
      port,
      user,
      url,
      async stop() {
        if (stopped) return;
        stopped = true;
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGINT'); // fast shutdown
          await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
        process.removeListener('exit', killOnExit);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
