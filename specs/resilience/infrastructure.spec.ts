import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { SpawnerResult } from '../../contracts/index.ts';
import { expect, results, test } from '../../fixtures/index.ts';
import type { LogLine } from '../../fixtures/logs.ts';

/**
 * Infrastructure faults (docs/resilience.md): the database refusing, slow or
 * locked, and butlers that cannot start. Each ad-hoc butler here is a copy of
 * health with a database of its own; the six booted butlers must not notice.
 */

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e);

/** Every booted butler still answers `status` with its own name. */
async function allAnswer(ecosystem: { butlers: Record<string, { mcp(): Promise<any> }> }) {
  for (const [name, b] of Object.entries(ecosystem.butlers)) {
    const s = await (await b.mcp()).call('status', {}, results.StatusResult);
    expect(s.butler, `${name} answers status`).toBe(name);
  }
}

const registryRows = async (sb: pg.Pool, port: number) =>
  (await sb.query('select name from butler_registry where endpoint_url like $1', [`%:${port}/%`])).rowCount;

/**
 * A health folder copy the test may break, removed after the test. It sits
 * two levels below the checkout, beside a copy of roster/_lib, as the roster
 * does: roster tools import the framework by relative path (issue: a roster
 * outside the checkout cannot compile its tools yet).
 */
function healthCopy(ecosystem: { butlers: Record<string, { dir: string }> }) {
  const rosterRoot = path.dirname(ecosystem.butlers.health.dir);
  const tmp = path.join(path.dirname(rosterRoot), '.tmp');
  mkdirSync(tmp, { recursive: true });
  const root = mkdtempSync(path.join(tmp, 'res-roster-'));
  const dir = path.join(root, 'health');
  cpSync(ecosystem.butlers.health.dir, dir, { recursive: true });
  cpSync(path.join(rosterRoot, '_lib'), path.join(root, '_lib'), { recursive: true });
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Error lines a failing ad-hoc copy causes: its own (it logs as "health") and the supervisor's about it. */
const adHocLines = (marker: string) => (l: LogLine) =>
  (l.butler === 'health' && JSON.stringify(l).includes(marker)) || (String(l.butler ?? '').startsWith('health_adhoc_') && String(l.event).startsWith('supervisor.'));

test('RES-01 a butler whose database refuses exits non-zero in its database phase and is never registered', async ({ ecosystem, chaos, logs, sql }) => {
  const db = await chaos.databaseProxy();
  await db.refuse();
  const began = Date.now();
  const err = await failure(ecosystem.launchAdHoc({ name: 'health', rosterDir: ecosystem.butlers.health.dir, overlay: { db: { port: db.port, acquire_timeout_ms: 2000 } }, readinessTimeoutMs: 60_000 }));
  expect(err?.message).toContain('health exited during startup');
  expect(Date.now() - began, 'the exit came before the readiness limit').toBeLessThan(20_000);
  // The copy logs as "health" like the booted one: its lines are the ones that name the proxy's port.
  const mine = (l: LogLine) => l.butler === 'health' && JSON.stringify(l).includes(`:${db.port}`);
  await expect.poll(() => logs.window().filter(mine).map((l) => l.event)).toEqual(expect.arrayContaining(['db.connect_failed', 'butler.startup_failed']));
  const failed = logs.window().find((l) => mine(l) && l.event === 'butler.startup_failed')!;
  expect(failed.phase).toBe('database');
  expect(await registryRows(sql('switchboard'), db.port)).toBe(0);
  logs.expectNoUnexpectedErrors({ allow: [mine, adHocLines(`:${db.port}`)] });
});

test('RES-02 with one pooled connection held by a lock, calls queue and then fail pool_acquire_timeout while status still answers', async ({ ecosystem, butlers, mcp, sql, logs, tag }) => {
  test.setTimeout(90_000);
  await butlers.restart('health', { overlay: { db: { pool_min: 0, pool_max: 1, acquire_timeout_ms: 2000 } } });
  const health = await mcp('health');
  const lockFor = async (ms: number) => {
    const c = await ecosystem.admin('health').connect();
    await c.query('begin');
    await c.query('lock table state in access exclusive mode');
    return { release: new Promise<void>((r) => setTimeout(async () => { await c.query('rollback'); c.release(); r(); }, ms)) };
  };
  // (a) A short hold: the queued call gets the connection once the set is through.
  let lock = await lockFor(1000);
  const [set, get] = await Promise.all([
    health.callTool('state_set', { key: `${tag}-a`, value: 1 }),
    health.callTool('state_get', { key: `${tag}-a` }),
  ]);
  await lock.release;
  expect(set.isError, JSON.stringify(set.data)).toBeFalsy();
  expect(get.isError, JSON.stringify(get.data)).toBeFalsy();

  // (b) A hold past acquire_timeout_ms: one call has the only connection (blocked on the lock), the other times out waiting for it.
  lock = await lockFor(5000);
  const [setB, getB] = await Promise.all([
    health.callTool('state_set', { key: `${tag}-b`, value: 2 }),
    new Promise((r) => setTimeout(r, 200)).then(() => health.callTool('state_get', { key: `${tag}-b` })),
  ]);
  expect(getB.isError, JSON.stringify(getB.data)).toBe(true);
  expect(getB.data).toMatchObject({ error: 'pool_acquire_timeout' });
  const status = await health.call('status', {}, results.StatusResult);
  expect(status.butler).toBe('health');
  await lock.release;
  expect(setB.isError, JSON.stringify(setB.data)).toBeFalsy();
  const later = await health.callTool('state_get', { key: `${tag}-b` });
  expect(later.isError).toBeFalsy();
  expect(later.data).toMatchObject({ value: 2 });
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.butler === 'health' && /tool\./.test(String(l.event))] });
});

test('RES-03 a query held past statement_timeout_ms is a statement_timeout tool error, directly and inside a session', async ({ ecosystem, butlers, mcp, sql, model, logs, tag }) => {
  model.require();
  test.setTimeout(120_000);
  await butlers.restart('health', { overlay: { db: { statement_timeout_ms: 2000 } } });
  const c = await ecosystem.admin('health').connect();
  try {
    await c.query('begin');
    await c.query('lock table measurements in access exclusive mode');
    const health = await mcp('health');
    const direct = await health.callTool('measurement_log', { type: 'weight', value: 80, unit: 'kg', notes: tag });
    expect(direct.isError, JSON.stringify(direct.data)).toBe(true);
    expect(direct.data).toMatchObject({ error: 'statement_timeout' });

    const r = await health.call('trigger', { prompt: 'Log my weight: 80 kg', trigger_source: 'test', tag }, SpawnerResult, { timeoutMs: 90_000 });
    const failedCall = r.tool_calls.find((t) => t.name === 'measurement_log' && t.is_error);
    expect(failedCall, JSON.stringify(r.tool_calls)).toBeDefined();
    expect(JSON.stringify(failedCall!.result)).toContain('statement_timeout');
    // The session's own outcome stands: the tool error does not force it to error.
    const { rows } = await sql('health').query('select status, error from sessions where session_id = $1', [r.session_id]);
    expect(rows[0].status).toBe(r.success ? 'completed' : 'error');
  } finally {
    await c.query('rollback').catch(() => {});
    c.release();
  }
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.butler === 'health' && /tool\.|session\./.test(String(l.event))] });
});

test('RES-06 an invalid butler.toml fails in phase config naming butler.port; a broken migration in phase migration naming the file', async ({ ecosystem, logs, sql }) => {
  const before = Object.values(ecosystem.butlers).map((b) => b.pid);
  const copy = healthCopy(ecosystem);
  try {
    // The staging overlay sets butler.port over butler.toml's, so the bad value comes in the overlay layer.
    const bad = await failure(ecosystem.launchAdHoc({ name: 'health', rosterDir: copy.dir, overlay: { butler: { port: 'abc' } }, readinessTimeoutMs: 60_000 }));
    expect(bad?.message).toContain('health exited during startup');
    expect(bad?.message).toMatch(/startup failed \(config\)/);
    expect(bad?.message).toContain('butler.port');

    writeFileSync(path.join(copy.dir, 'migrations', '900_broken.sql'), 'CREATE TABLEE oops (id int);\n');
    const broken = await failure(ecosystem.launchAdHoc({ name: 'health', rosterDir: copy.dir, readinessTimeoutMs: 60_000 }));
    expect(broken?.message).toContain('health exited during startup');
    expect(broken?.message).toMatch(/startup failed \(migration\)/);
    expect(broken?.message).toContain('900_broken.sql');
  } finally {
    copy.cleanup();
  }
  const { rows } = await sql('switchboard').query('select name, endpoint_url from butler_registry order by name');
  expect(rows.map((r) => r.name)).toEqual(Object.keys(ecosystem.butlers).sort());
  expect(Object.values(ecosystem.butlers).map((b) => b.pid), 'the six butlers were not restarted').toEqual(before);
  await allAnswer(ecosystem);
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.butler === 'health' && /startup_failed|migration/.test(String(l.event)), adHocLines('startup failed')] });
});

test('RES-07 a butler whose database answers 10 s late fails readiness naming itself, the check and 3 s; the others still answer', async ({ ecosystem, chaos, logs }) => {
  const before = Object.values(ecosystem.butlers).map((b) => b.pid);
  const db = await chaos.databaseProxy();
  await db.latency(10_000);
  const err = await failure(ecosystem.launchAdHoc({ name: 'health', rosterDir: ecosystem.butlers.health.dir, overlay: { db: { port: db.port } }, readinessTimeoutMs: 3000 }));
  expect(err?.message).toMatch(/^health did not become ready: check "[^"]+" still failing after 3\.\d s/);
  expect(db.stats().connections, 'the copy did reach the database proxy').toBeGreaterThan(0);
  expect(Object.values(ecosystem.butlers).map((b) => b.pid)).toEqual(before);
  await allAnswer(ecosystem);
  logs.expectNoUnexpectedErrors({ allow: [adHocLines(`:${db.port}`)] });
});
