import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A throwaway PostgreSQL cluster for unit tests; close() stops it and removes its folder. */
export interface ThrowawayCluster {
  port: number;
  url(database?: string): string;
  close(): Promise<void>;
}

const PORT_RANGE: [number, number] = [15500, 15599];

function findBinDir(): string {
  const candidates = [process.env.E2E_PG_BIN, ...['17', '16', '15', '14'].map((v) => `/usr/lib/postgresql/${v}/bin`)];
  for (const dir of candidates) if (dir && existsSync(join(dir, 'postgres'))) return dir;
  throw new Error(
    'no PostgreSQL server binaries found (looked in $E2E_PG_BIN and /usr/lib/postgresql/<version>/bin); ' +
      'install postgresql (apt-get install postgresql) or set E2E_PG_BIN to the folder holding initdb and postgres',
  );
}

/** PostgreSQL refuses to run as root, so as root we run it as the `postgres` OS user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root, and PostgreSQL refuses root: create an OS user named postgres (useradd -r postgres) or run the tests as a normal user');
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

async function pickPort(): Promise<number> {
  const [lo, hi] = PORT_RANGE;
  const start = lo + Math.floor(Math.random() * (hi - lo + 1));
  for (let i = 0; i <= hi - lo; i++) {
    const port = lo + ((start - lo + i) % (hi - lo + 1));
    if (await portFree(port)) return port;
  }
  throw new Error(`no free port for the test PostgreSQL cluster in ${lo}-${hi}; stop whatever holds them`);
}

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`test PostgreSQL exited with code ${child.exitCode} during startup:\n${output()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`test PostgreSQL not ready after ${timeoutMs} ms:\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** initdb into a temp folder and start `postgres` on 127.0.0.1 with a port in 15500-15599. */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const bin = findBinDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'core-tools-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const spawnOpts = user ? { uid: user.uid, gid: user.gid } : {};
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'], {
      ...spawnOpts,
      stdio: 'pipe',
    });
  } catch (err) {
    removeDir();
    throw new Error(`initdb failed in ${data}: ${(err as { stderr?: Buffer }).stderr?.toString() ?? String(err)}`);
  }
  const port = await pickPort();
  let log = '';
  const child = spawn(
    join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-F', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off'],
    { ...spawnOpts, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  // A crashed test run must not leave a postgres behind.
  const onExit = () => {
    child.kill('SIGKILL');
    removeDir();
  };
  process.once('exit', onExit);
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= (async () => {
      process.removeListener('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      removeDir();
    })();
    return closed;
  };
  try {
    await waitReady(url(), child, () => log);
  } catch (err) {
    await close();
    throw err;
  }
  return { port, url, close };
}

/** Applies every `*.sql` of `dir` in lexical order, each in its own transaction. */
export async function applySqlFiles(pool: pg.Pool, dir: string): Promise<string[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  for (const file of files) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(readFileSync(join(dir, file), 'utf8'));
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new Error(`migration ${file} failed: ${(err as Error).message}`);
    } finally {
      client.release();
    }
  }
  return files;
}
