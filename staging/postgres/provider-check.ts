import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from '@playwright/test';
import pg from 'pg';
import { provisionButlerDatabases, startPostgres } from './index.ts';
import type { ProviderName, StartedPostgres } from './types.ts';
import { withDatabase } from './urls.ts';

// Test support for the per-provider integration tests (not a test file itself).

/** A fresh run folder under the project's .tmp, like the harness uses. */
export async function scratchRunDir(label: string): Promise<string> {
  const dir = path.resolve('.tmp', 'pg-provider-tests', `${label}-${randomBytes(3).toString('hex')}`, 'w0');
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Removes a folder made by scratchRunDir (its per-test parent included). */
export async function removeScratch(runDir: string): Promise<void> {
  await rm(path.dirname(runDir), { recursive: true, force: true });
}

export async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The error a real connection attempt ends with, or null when it connects. */
export async function connectError(url: string): Promise<(Error & { code?: string }) | null> {
  try {
    await query(url, 'select 1');
    return null;
  } catch (err) {
    return err as Error & { code?: string };
  }
}


/** Pids of processes whose command line mentions `needle` (a cluster's data folder). */
export async function pidsMentioning(needle: string): Promise<{ pid: number; uid: number }[]> {
  const found: { pid: number; uid: number }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (!cmdline.includes(needle)) continue;
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      found.push({ pid: Number(entry), uid });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * Start with E2E_PG=<provider>, provision two butlers and prove the isolation
 * rules with real connections; returns the server for provider-specific
 * teardown checks (the caller stops it).
 */
export async function startAndProvision(
  provider: ProviderName,
  runDir: string,
  env: NodeJS.ProcessEnv,
  suffix = '',
): Promise<{ pg: StartedPostgres; provisioned: Awaited<ReturnType<typeof provisionButlerDatabases>>; log: string[] }> {
  const log: string[] = [];
  const server = await startPostgres({ runDir, env: { ...env, E2E_PG: provider }, log: (line) => log.push(line) });
  expect(server.provider).toBe(provider);
  expect(server.version).toMatch(/^\d+(\.\d+)?$/);
  expect(server.host).toBe('127.0.0.1');
  const provisioned = await provisionButlerDatabases(server, ['alpha', 'beta'], { suffix });
  const { alpha, beta } = provisioned;
  expect(alpha.database).toBe(`butler_alpha${suffix}`);
  expect(alpha.role).toBe(`butler_alpha${suffix}`);
  expect(alpha.url).toBe(`postgres://${alpha.role}:${alpha.password}@127.0.0.1:${server.port}/${alpha.database}`);

  const own = await query<{ who: string; db: string }>(alpha.url, 'select current_user as who, current_database() as db');
  expect(own).toEqual([{ who: alpha.role, db: alpha.database }]);

  const crossed = await connectError(withDatabase(alpha.url, beta.database));
  expect(crossed?.message).toBe(`permission denied for database "${beta.database}"`);
  expect(crossed?.code).toBe('42501');

  const wrongPassword = await connectError(alpha.url.replace(alpha.password, 'not-the-password'));
  expect(wrongPassword?.message).toBe(`password authentication failed for user "${alpha.role}"`);

  // hasPgvector must match what the server can really install, and be installed in each butler database.
  const installed = await query<{ n: string }>(withDatabase(server.adminUrl, beta.database), `select count(*) as n from pg_extension where extname = 'vector'`);
  expect(Number(installed[0].n)).toBe(server.hasPgvector ? 1 : 0);
  const control = await query<{ n: string }>(server.adminUrl, `select count(*) as n from pg_available_extension_versions where name = 'vector'`);
  expect(server.hasPgvector).toBe(Number(control[0].n) > 0);
  return { pg: server, provisioned, log };
}

/** True when nothing accepts TCP connections on 127.0.0.1:port any more. */
export function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

export function folderGone(dir: string): boolean {
  return !existsSync(dir);
}
