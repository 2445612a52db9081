import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { test as base } from '@playwright/test';
import pg from 'pg';
import { pino } from 'pino';
import { z } from 'zod';
import type { ToolContext, ToolDef } from '../core/tool.ts';
import { startThrowawayCluster, type ThrowawayCluster } from '../../staging/testing/throwaway-cluster.ts';
import { applySqlFiles } from './butler-db.ts';

const MIGRATIONS = fileURLToPath(new URL('../core/migrations/', import.meta.url));
const TEMPLATE = 'core_template';

/** Log lines a fake context captured, parsed. */
export type LogLine = Record<string, unknown> & { event?: string; level: number };

export interface FakeContext {
  ctx: ToolContext;
  logs: LogLine[];
  log: pino.Logger;
  abort: AbortController;
}

export function makeCtx(db: pg.Pool, opts: { butler?: string; sessionId?: string | null } = {}): FakeContext {
  const logs: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const abort = new AbortController();
  const ctx: ToolContext = {
    butler: opts.butler ?? 'health',
    db,
    sessionId: opts.sessionId ?? null,
    log,
    config: {},
    meta: {},
    signal: abort.signal,
    services: {},
  };
  return { ctx, logs, log, abort };
}

/** Validates like the MCP server does (zod, defaults applied), then runs the handler. */
export async function call(tool: ToolDef, args: Record<string, unknown>, ctx: ToolContext): Promise<any> {
  const parsed = z.object(tool.input).parse(args);
  return tool.handler(parsed, ctx);
}

/** Runs `fn` and returns the ToolError-like failure it raised (fails the test if it resolved). */
export async function failure(fn: () => Promise<unknown>): Promise<{ code?: string; message: string; details?: any }> {
  try {
    await fn();
  } catch (err) {
    return err as { code?: string; message: string; details?: unknown };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export async function insertSession(db: pg.Pool, fields: Record<string, unknown> = {}): Promise<string> {
  const row = { butler_name: 'health', trigger_source: 'test', prompt: 'p', model: 'm', status: 'completed', ...fields };
  const cols = Object.keys(row);
  const { rows } = await db.query(
    `INSERT INTO sessions (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING session_id`,
    Object.values(row),
  );
  return rows[0].session_id;
}

/**
 * pool.end() resolves before the server has seen every socket close, and
 * DROP ... WITH (FORCE) would then kill those half-closed clients with an
 * uncatchable error, so wait for the database to be free instead.
 */
async function dropWhenClosed(admin: pg.Client, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`DROP DATABASE ${name}`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * `cluster`: one throwaway PostgreSQL per worker with the core migrations in a
 * template database. `db`: a fresh database cloned from it for each test.
 */
export const test = base.extend<{ db: pg.Pool }, { cluster: ThrowawayCluster }>({
  cluster: [
    async ({}, use) => {
      const cluster = await startThrowawayCluster();
      try {
        const admin = new pg.Pool({ connectionString: cluster.url() });
        await admin.query(`CREATE DATABASE ${TEMPLATE}`);
        await admin.end();
        const tpl = new pg.Pool({ connectionString: cluster.url(TEMPLATE) });
        await applySqlFiles(tpl, MIGRATIONS).finally(() => tpl.end());
        await use(cluster);
      } finally {
        await cluster.stop();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  db: async ({ cluster }, use) => {
    const name = `t_${randomUUID().replace(/-/g, '')}`;
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
    const pool = new pg.Pool({ connectionString: cluster.url(name), max: 6 });
    // A cluster stopped at teardown terminates idle clients; that must not surface in the next test.
    pool.on('error', () => {});
    try {
      await use(pool);
    } finally {
      await pool.end();
      await dropWhenClosed(admin, name);
      await admin.end();
    }
  },
});

export { expect } from '@playwright/test';
