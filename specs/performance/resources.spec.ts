import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { z } from 'zod';
import { expect, test } from '../../fixtures/index.ts';
import { RouteResult } from '../../contracts/index.ts';
import { trigger, until } from '../../fixtures/sessions.ts';

/**
 * Resources over repeated work (docs/performance.md): a daemon's memory
 * levels off, a stopped butler leaves no database connection behind, shutdown
 * closes exactly the clients the router cached, and repeated pipelines do not
 * grow their prompts. Evidence: /proc, pg_stat_activity, the run log, token
 * counts on the session rows.
 */

/** VmRSS of a process in kB, from /proc (Linux). */
function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

async function connectionsOf(admin: pg.Pool, role: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where usename = $1', [role]);
  return rows[0].n;
}

const RouterStatus = z.object({ router: z.object({ cached_clients: z.number().int() }) }).passthrough();

test('PRF-14 health\'s RSS after 20 triggers is at most 1.5 × its RSS after 5 warm-up triggers', async ({ ecosystem, mcp, model, tag }) => {
  model.requireDouble();
  test.setTimeout(240_000);
  test.skip(process.platform !== 'linux', 'reads /proc/<pid>/status; run on Linux');
  const health = await mcp('health');
  const pid = ecosystem.butlers.health.pid!;
  const run = async (from: number, n: number) => {
    for (let i = from; i < from + n; i++) {
      const r = await trigger(health, `Log weight ${60 + (i % 40)}kg`, `${tag}-${i}`);
      expect(r.success, r.error ?? '').toBe(true);
    }
  };
  await run(0, 5);
  const warm = rssKb(pid);
  await run(5, 15);
  const after = rssKb(pid);
  expect(ecosystem.butlers.health.pid, 'the same daemon served all 20').toBe(pid);
  test.info().annotations.push({ type: 'rss', description: `after 5: ${warm} kB, after 20: ${after} kB (${(after / warm).toFixed(2)}×)` });
  expect(after / warm, `RSS ${warm} kB → ${after} kB`).toBeLessThanOrEqual(1.5);
});

test('PRF-15 a stopped ad-hoc butler leaves no connection of its role in pg_stat_activity', async ({ ecosystem, tag }) => {
  test.skip(ecosystem.reused, 'needs an ecosystem this run owns (ad-hoc butlers); not available with E2E_REUSE=1');
  const copy = await ecosystem.launchAdHoc({ name: 'health', rosterDir: ecosystem.butlers.health.dir, register: false });
  const admin = ecosystem.admin('health');
  try {
    const client = await copy.mcp();
    for (let i = 0; i < 3; i++) {
      const out = await client.callTool('state_set', { key: `${tag}-${i}`, value: i });
      expect(out.isError, out.text).toBe(false);
    }
    expect(await connectionsOf(admin, copy.role), `the copy holds pooled connections as ${copy.role} while it runs`).toBeGreaterThan(0);
    await copy.closeClients();
    await copy.stop();
    expect(copy.pid, 'the copy\'s process is gone').toBeUndefined();
    await until(`the connections of ${copy.role} to end`, async () => (await connectionsOf(admin, copy.role)) === 0, 10_000).catch(() => undefined);
    expect(await connectionsOf(admin, copy.role), `connections of ${copy.role} after stop`).toBe(0);
  } finally {
    await copy.dispose();
  }
});

test('PRF-16 the switchboard\'s shutdown line reports as many clients closed as status.router.cached_clients said', async ({ butlers, mcp, logs, tag }) => {
  const sb = await mcp('switchboard');
  for (const target of ['health', 'relationship', 'general']) {
    const r = await sb.call('route', { target_butler: target, tool_name: 'status', args: {}, tag }, RouteResult);
    expect(r.ok, JSON.stringify(r)).toBe(true);
  }
  const cached = (await sb.call('status', {}, RouterStatus)).router.cached_clients;
  expect(cached, 'a client for each of the three targets').toBeGreaterThanOrEqual(3);
  const before = logs.window().length;
  await butlers.restart('switchboard');
  // The old process's last lines may still be on their way through its pipe.
  await logs.waitFor((l) => l.butler === 'switchboard' && l.event === 'butler.shutdown', { what: "the old switchboard's butler.shutdown line" });
  const shutdowns = logs.window().slice(before).filter((l) => l.butler === 'switchboard' && l.event === 'butler.shutdown');
  expect(shutdowns, 'one shutdown line of the switchboard').toHaveLength(1);
  expect(shutdowns[0]).toMatchObject({ clients_closed: cached });
  const fresh = await (await mcp('switchboard')).call('status', {}, RouterStatus);
  expect(fresh.router.cached_clients, 'the new switchboard starts with an empty cache').toBe(0);
});

test('PRF-17 five pipelines "Log weight 70…74kg": the 5th uses at most 1.2 × the tokens of the 1st (no prompt bloat)', async ({ pipeline, sql, model, tag }) => {
  model.require();
  test.setTimeout(240_000);
  const perPipeline: { tokens: number; cost: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const { requestId, dispatch } = await pipeline.run(`Log weight ${70 + i}kg`, { idempotencyKey: `${tag}-${i}` });
    expect(dispatch.outcomes.map((o) => [o.butler, o.status]), 'the message went to health and succeeded').toEqual([['health', 'success']]);
    let tokens = 0;
    let cost = 0;
    let sessions = 0;
    for (const butler of ['switchboard', 'health']) {
      const { rows } = await sql(butler).query<{ input_tokens: number; output_tokens: number; cost_usd: string | null; status: string }>(
        'select input_tokens, output_tokens, cost_usd, status from sessions where request_id = $1',
        [requestId],
      );
      for (const r of rows) {
        expect(r.status).toBe('completed');
        tokens += r.input_tokens + r.output_tokens;
        cost += Number(r.cost_usd ?? 0);
        sessions++;
      }
    }
    expect(sessions, `pipeline ${i + 1} ran a classification and a health session`).toBeGreaterThanOrEqual(2);
    perPipeline.push({ tokens, cost });
  }
  test.info().annotations.push({ type: 'tokens per pipeline', description: perPipeline.map((p) => p.tokens).join(', ') });
  expect(perPipeline[4].tokens / perPipeline[0].tokens, `tokens per pipeline: ${perPipeline.map((p) => p.tokens).join(', ')}`).toBeLessThanOrEqual(1.2);
  if (model.mode === 'live') {
    for (const p of perPipeline) expect(p.cost, 'live cost per message').toBeLessThan(0.02);
  }
});
