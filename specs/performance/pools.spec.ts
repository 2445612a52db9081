import type pg from 'pg';
import { expect, test, type Ecosystem } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';
import { until } from '../../fixtures/sessions.ts';
import { z } from 'zod';

/**
 * Connection pools under load (docs/performance.md): health is restarted with
 * a small pool by overlay, a real table lock taken by the harness keeps its
 * connections busy, and 20 clients call at once. The evidence is PostgreSQL's
 * own pg_stat_activity and the pool numbers `status` reports.
 */

const Pool = z.object({ size: z.number(), idle: z.number(), in_use: z.number(), waiting: z.number(), max: z.number() });
const PoolStatus = z.object({ db: z.object({ healthy: z.boolean(), pool: Pool }).passthrough() }).passthrough();
type Pool = z.infer<typeof Pool>;

const pool = async (c: McpHandle) => (await c.call('status', {}, PoolStatus)).db.pool;

/** Locks health's `state` table from an admin connection (every state_set/state_get blocks on it) until `release()`. */
async function lockState(ecosystem: Ecosystem) {
  const c = await ecosystem.admin('health').connect();
  await c.query('begin');
  await c.query('lock table state in access exclusive mode');
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await c.query('rollback');
      c.release();
    },
  };
}

/** Connections PostgreSQL holds open for the role, whatever their state. */
async function connectionsOf(admin: pg.Pool, role: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where usename = $1', [role]);
  return rows[0].n;
}

/** Twenty clients, each with one state_set of its own key. */
async function twentySets(mcp: (b: string) => Promise<McpHandle>, tag: string) {
  const clients = await Promise.all(Array.from({ length: 20 }, () => mcp('health')));
  return clients.map((c, i) => c.callTool('state_set', { key: `${tag}-${i}`, value: { i } }));
}

test.describe('connection pools', () => {
  test.describe.configure({ timeout: 120_000 });

  test('PRF-07 with pool_max 2, twenty concurrent state_sets never open more than 2 connections of butler_health', async ({ ecosystem, butlers, mcp, sql, tag }) => {
    await butlers.restart('health', { overlay: { db: { pool_min: 0, pool_max: 2 } } });
    const role = ecosystem.butlers.health.role;
    const admin = ecosystem.admin('health');
    const probe = await mcp('health');
    const lock = await lockState(ecosystem);
    const samples: number[] = [];
    try {
      const sets = await twentySets(mcp, tag);
      // While the lock holds, every call wants a connection: the pool is at its limit and the rest queue.
      await until('both pooled connections to be busy on the lock', async () => {
        samples.push(await connectionsOf(admin, role));
        return samples.at(-1)! >= 2 && (await pool(probe)).waiting > 0;
      }, 30_000);
      for (let i = 0; i < 10; i++) samples.push(await connectionsOf(admin, role));
      await lock.release();
      let settled = false;
      const all = Promise.all(sets).finally(() => (settled = true));
      while (!settled) {
        samples.push(await connectionsOf(admin, role));
        await new Promise((r) => setTimeout(r, 10));
      }
      const out = await all;
      expect(out.filter((o) => o.isError).map((o) => o.text)).toEqual([]);
    } finally {
      await lock.release();
    }
    samples.push(await connectionsOf(admin, role));
    expect(Math.max(...samples), `connections of ${role} over ${samples.length} samples`).toBe(2);
    const { rows } = await sql('health').query('select count(*)::int as n from state where key like $1', [`${tag}-%`]);
    expect(rows[0].n).toBe(20);
  });

  test('PRF-08 with pool_max 1, twenty concurrent state_sets all succeed: they queue for the one connection, none is refused', async ({ ecosystem, butlers, mcp, sql, tag }) => {
    await butlers.restart('health', { overlay: { db: { pool_min: 0, pool_max: 1 } } });
    const lock = await lockState(ecosystem);
    let sets: Promise<{ isError: boolean; text: string }>[];
    try {
      sets = await twentySets(mcp, tag);
      await until('the calls to queue behind the busy connection', async () => (await pool(await mcp('health'))).waiting >= 19, 30_000);
    } finally {
      await lock.release();
    }
    const out = await Promise.all(sets);
    expect(out.map((o) => o.isError), out.map((o) => o.text).join('\n')).toEqual(Array(20).fill(false));
    const { rows } = await sql('health').query<{ key: string; value: { i: number } }>('select key, value from state where key like $1 order by key', [`${tag}-%`]);
    expect(rows).toHaveLength(20);
    for (const r of rows) expect(r.key).toBe(`${tag}-${r.value.i}`);
  });

  test('PRF-09 with pool_max 1 and acquire_timeout_ms 2000, a connection held by a lock makes waiters time out; after release calls succeed and waiting is 0', async ({ ecosystem, butlers, mcp, logs, tag }) => {
    await butlers.restart('health', { overlay: { db: { pool_min: 0, pool_max: 1, acquire_timeout_ms: 2000 } } });
    const health = await mcp('health');
    const lock = await lockState(ecosystem);
    let holder: Promise<{ isError: boolean; text: string }>;
    let waiters: { isError: boolean; data: unknown }[];
    try {
      holder = health.callTool('state_set', { key: `${tag}-held`, value: 1 });
      await until('the only connection to be taken', async () => (await pool(health)).in_use === 1, 30_000);
      waiters = await Promise.all([0, 1, 2].map(async (i) => (await mcp('health')).callTool('state_get', { key: `${tag}-${i}` })));
    } finally {
      await lock.release();
    }
    expect(waiters.map((w) => [w.isError, (w.data as { error?: string }).error])).toEqual(Array(3).fill([true, 'pool_acquire_timeout']));
    const held = await holder;
    expect(held.isError, held.text).toBe(false);
    const later = await health.callTool('state_get', { key: `${tag}-held` });
    expect(later.isError, later.text).toBe(false);
    expect(later.data).toMatchObject({ exists: true, value: 1 });
    await until('the pool to have no waiter', async () => (await pool(health)).waiting === 0, 10_000);
    expect(await pool(health)).toMatchObject({ waiting: 0, in_use: 0, max: 1 });
    logs.expectNoUnexpectedErrors({ allow: [(l) => l.butler === 'health' && /^tool\./.test(String(l.event))] });
  });

  test('PRF-10 sampled during a saturated pool_max 1 run, status.db.pool keeps size ≤ max and in_use ≤ size, shows waiters, and ends idle', async ({ ecosystem, butlers, mcp, tag }) => {
    await butlers.restart('health', { overlay: { db: { pool_min: 0, pool_max: 1 } } });
    const probe = await mcp('health');
    const lock = await lockState(ecosystem);
    const samples: Pool[] = [];
    let sets: Promise<{ isError: boolean }>[] = [];
    try {
      sets = await twentySets(mcp, tag);
      await until('waiters to show', async () => {
        samples.push(await pool(probe));
        return samples.at(-1)!.waiting > 0;
      }, 30_000);
    } finally {
      await lock.release();
    }
    let settled = false;
    const all = Promise.all(sets).finally(() => (settled = true));
    while (!settled) samples.push(await pool(probe));
    expect((await all).some((o) => o.isError)).toBe(false);
    for (const s of samples) {
      expect(s.max).toBe(1);
      expect(s.size, JSON.stringify(s)).toBeLessThanOrEqual(s.max);
      expect(s.in_use, JSON.stringify(s)).toBeLessThanOrEqual(s.size);
      expect(s.idle + s.in_use, JSON.stringify(s)).toBe(s.size);
    }
    expect(Math.max(...samples.map((s) => s.waiting)), 'some sample saw calls waiting for the connection').toBeGreaterThan(0);
    await until('the pool to drain', async () => {
      const p = await pool(probe);
      return p.in_use === 0 && p.waiting === 0;
    }, 10_000);
    expect(await pool(probe)).toMatchObject({ in_use: 0, waiting: 0 });
  });
});
