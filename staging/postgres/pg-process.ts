import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { PgOsUser } from './os-user.ts';

/** A running postmaster we spawned, and how to end it. */
export interface PgProcess {
  pid: number;
  port: number;
  /** Fast shutdown, escalating to immediate and then SIGKILL; resolves once the postmaster exited. */
  stop(): Promise<void>;
}

export interface SpawnPgOptions {
  postgres: string;
  dataDir: string;
  socketDir: string | null;
  logFile: string;
  owner: PgOsUser | undefined;
  readyTimeoutMs?: number;
  /** E2E_KEEP=1: the cluster outlives the harness on purpose, so exiting must not take it down. */
  keepOnExit?: boolean;
}

/** Settings for a throwaway cluster: durability off, enough connections for 6 butlers × pool 10 + harness. */
export const STAGING_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  // The cluster may live on a tmpfs (scratch.ts): bound the WAL it keeps in memory.
  // min_wal_size must be at least two segments: 32 MB covers the default 16 MB ones of a container.
  max_wal_size: '128MB',
  min_wal_size: '32MB',
  shared_buffers: '32MB',
  max_connections: '250',
  jit: 'off',
  huge_pages: 'off',
};

/** A port the OS says is free right now (the caller retries if postgres loses the race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Minimal environment: postgres needs no secrets of ours, and a C locale keeps messages predictable. */
export function childEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C', TZ: 'UTC' };
}

async function tailOf(file: string, lines = 5): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '(no log)';
  }
}

/** Starts postgres on `port` and resolves once postmaster.pid says "ready". */
export async function spawnPostgres(opts: SpawnPgOptions, port: number): Promise<PgProcess> {
  const settings = { ...STAGING_SETTINGS, unix_socket_directories: opts.socketDir ?? '' };
  const args = ['-D', opts.dataDir, '-p', String(port)];
  for (const [key, value] of Object.entries(settings)) args.push('-c', `${key}=${value}`);

  const logFd = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(opts.postgres, args, {
      stdio: ['ignore', logFd, logFd],
      env: childEnv(),
      ...(opts.owner ? { uid: opts.owner.uid, gid: opts.owner.gid } : {}),
    });
  } finally {
    closeSync(logFd);
  }
  // A forgotten stop() must not keep Node alive; exit events still arrive while stop() waits.
  child.unref();
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  let done = false;
  void exited.then(() => (done = true));
  // If the harness process exits without stop() (a second Ctrl-C, an uncaught
  // error), take the cluster down with it: SIGQUIT is PostgreSQL's immediate shutdown.
  const onExit = () => {
    if (!done) child.kill('SIGQUIT');
  };
  if (!opts.keepOnExit) {
    process.once('exit', onExit);
    void exited.then(() => process.off('exit', onExit));
  }

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  const pidFile = path.join(opts.dataDir, 'postmaster.pid');
  while (!done) {
    const status = await readFile(pidFile, 'utf8').then(
      (text) => text.split('\n')[7]?.trim(),
      () => undefined,
    );
    if (status === 'ready') break;
    if (Date.now() > deadline) {
      await stopChild(child, exited);
      throw new Error(`postgres on port ${port} not ready after ${opts.readyTimeoutMs ?? 30_000} ms; log: ${await tailOf(opts.logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  if (done) {
    const log = await tailOf(opts.logFile);
    const err = new Error(`postgres exited during startup (${opts.postgres}); log: ${log}`);
    (err as Error & { portTaken?: boolean }).portTaken = /address already in use/i.test(log);
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid ?? -1,
    port,
    stop: () => (stopping ??= stopChild(child, exited)),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // SIGINT = fast shutdown, SIGQUIT = immediate, SIGKILL = last resort.
  for (const [signal, waitMs] of [['SIGINT', 10_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]] as const) {
    child.kill(signal);
    const finished = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), waitMs)),
    ]);
    if (finished) return;
  }
}
