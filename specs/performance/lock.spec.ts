import { expect, test } from '../../fixtures/index.ts';
import { sessionById, sessionsByTag, spawnerStatus, trigger, until } from '../../fixtures/sessions.ts';
import type { LogLine } from '../../fixtures/logs.ts';

/**
 * The serial lock under load (docs/performance.md): one session per butler at
 * a time, waiters served first come first served, the lock handed on after a
 * failure, and each waiter's lock_wait_ms bounded by the sessions ahead of it.
 * Orders and ratios of this run only; no duration is compared with a number.
 */

const failed = (tags: string[]) => (l: LogLine) =>
  l.butler === 'health' && tags.includes(String(l.tag)) && (l.event === 'spawner.session_failed' || l.event === 'runtime.llm_failed');

test.describe('serial lock', () => {
  test.describe.configure({ timeout: 180_000 });

  test('PRF-01 five concurrent triggers all succeed and run one after another: each session completes before the next is created', async ({ mcp, sql, tag }) => {
    const clients = await Promise.all([0, 1, 2, 3, 4].map(() => mcp('health')));
    const results = await Promise.all(clients.map((c, i) => trigger(c, `Log weight ${80 + i}kg`, `${tag}-${i}`)));
    for (const r of results) expect(r.success, r.error ?? '').toBe(true);
    const rows = await Promise.all(results.map((r) => sessionById(sql('health'), r.session_id!)));
    expect(new Set(rows.map((r) => r.tag))).toEqual(new Set([0, 1, 2, 3, 4].map((i) => `${tag}-${i}`)));
    rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    expect(rows.map((r) => r.status)).toEqual(Array(5).fill('completed'));
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i - 1].completed_at!.getTime(), `session ${rows[i - 1].tag} ended before ${rows[i].tag} was created`).toBeLessThanOrEqual(rows[i].created_at.getTime());
    }
  });

  test('PRF-02 ten concurrent triggers all complete (no deadlock) with ten session rows', async ({ mcp, sql, tag }) => {
    const clients = await Promise.all(Array.from({ length: 10 }, () => mcp('health')));
    const results = await Promise.all(clients.map((c, i) => trigger(c, `Log weight ${70 + i}kg`, tag)));
    expect(results.map((r) => r.success)).toEqual(Array(10).fill(true));
    const rows = await sessionsByTag(sql('health'), tag);
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((r) => r.session_id))).toEqual(new Set(results.map((r) => r.session_id)));
    expect(rows.map((r) => r.status)).toEqual(Array(10).fill('completed'));
    expect((await spawnerStatus(await mcp('health'))).queue_depth, 'nobody left waiting').toBe(0);
  });

  test('PRF-03 behind a held session, triggers 2…5 sent one by one as the queue grows start in arrival order', async ({ mcp, sql, model, tag }) => {
    const control = model.requireDouble();
    await model.fault({ match: { butler: 'health', tag: `${tag}-1` }, action: 'hold' });
    const probe = await mcp('health');
    const calls = [trigger(await mcp('health'), 'Log weight 81kg', `${tag}-1`)];
    const held = await control.waitForHeld({ butler: 'health', tag: `${tag}-1` }, 60_000);
    for (let k = 2; k <= 5; k++) {
      calls.push(trigger(await mcp('health'), `Log weight 8${k}kg`, `${tag}-${k}`));
      await until(`trigger ${k} to queue (depth ${k - 1})`, async () => (await spawnerStatus(probe)).queue_depth === k - 1);
    }
    await control.release(held.id);
    const results = await Promise.all(calls);
    for (const r of results) expect(r.success, r.error ?? '').toBe(true);
    const rows = await Promise.all(results.map((r) => sessionById(sql('health'), r.session_id!)));
    rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    expect(rows.map((r) => r.tag), 'session order = arrival order').toEqual([1, 2, 3, 4, 5].map((k) => `${tag}-${k}`));
  });

  test('PRF-04 a session failing with a 500 hands the lock on: the next trigger succeeds and waited less than the failed session lasted', async ({ mcp, sql, model, logs, tag }) => {
    const control = model.requireDouble();
    await model.fault({ match: { butler: 'health', tag: `${tag}-1` }, action: { type: 'status', code: 500 }, times: 0 });
    const probe = await mcp('health');
    const first = trigger(await mcp('health'), 'Log weight 80kg', `${tag}-1`);
    await until('the first session to hold the lock', async () => (await control.requests({ butler: 'health', tag: `${tag}-1` })).length > 0);
    const second = trigger(await mcp('health'), 'Log weight 81kg', `${tag}-2`);
    const [a, b] = await Promise.all([first, second]);
    expect(a.success).toBe(false);
    expect((await sessionById(sql('health'), a.session_id!)).status).toBe('error');
    expect(b.success, b.error ?? '').toBe(true);
    expect((await sessionById(sql('health'), b.session_id!)).status).toBe('completed');
    expect(b.lock_wait_ms, 'the second waited only for the failed session, not for a leaked lock').toBeLessThan(a.duration_ms);
    expect((await spawnerStatus(probe)).busy).toBe(false);
    logs.expectNoUnexpectedErrors({ allow: [failed([`${tag}-1`])] });
  });

  test('PRF-05 a held session with timeout_ms 2000 ends in error "timeout" and the trigger queued behind it completes', async ({ mcp, sql, model, logs, tag }) => {
    const control = model.requireDouble();
    await model.fault({ match: { butler: 'health', tag: `${tag}-1` }, action: 'hold' });
    const probe = await mcp('health');
    const first = trigger(await mcp('health'), 'Log weight 80kg', `${tag}-1`, { timeout_ms: 2000 });
    const held = await control.waitForHeld({ butler: 'health', tag: `${tag}-1` }, 60_000);
    const second = trigger(await mcp('health'), 'Log weight 81kg', `${tag}-2`);
    await until('the second trigger to queue', async () => (await spawnerStatus(probe)).queue_depth === 1);
    const [a, b] = await Promise.all([first, second]);
    await control.release(held.id).catch(() => undefined); // the timed-out session's request may already be gone
    expect(a).toMatchObject({ success: false, error: 'timeout' });
    expect(await sessionById(sql('health'), a.session_id!)).toMatchObject({ status: 'error', error: 'timeout' });
    expect(b.success, b.error ?? '').toBe(true);
    expect((await sessionById(sql('health'), b.session_id!)).status).toBe('completed');
    logs.expectNoUnexpectedErrors({ allow: [failed([`${tag}-1`])] });
  });

  test('PRF-06 four simultaneous slow sessions: the queue drains 3, 2, 1, 0 and each waits at most 1.2 × the sessions ahead of it', async ({ mcp, sql, model, tag }) => {
    model.requireDouble();
    await model.fault({ match: { butler: 'health', tag }, action: { type: 'delay', ms: 1000 }, times: 0 });
    const probe = await mcp('health');
    const clients = await Promise.all([0, 1, 2, 3].map(() => mcp('health')));
    const calls = clients.map((c, i) => trigger(c, `Log weight ${90 + i}kg`, tag));
    let done = false;
    const all = Promise.all(calls).finally(() => (done = true));
    const depths: number[] = [];
    while (!done) {
      const d = (await spawnerStatus(probe)).queue_depth;
      if (depths.at(-1) !== d) depths.push(d);
      await new Promise((r) => setTimeout(r, 25));
    }
    const results = await all;
    const last = (await spawnerStatus(probe)).queue_depth;
    if (depths.at(-1) !== last) depths.push(last);
    for (const r of results) expect(r.success, r.error ?? '').toBe(true);
    // Arrivals raise the depth to 3 (its first readings may catch 1 or 2 on the way); from the first 3 on it only falls.
    const from = depths.indexOf(3);
    expect(from, `queue depth 3 was observed (readings ${depths.join(', ')})`).toBeGreaterThanOrEqual(0);
    expect(depths.slice(from), 'the queue drains one by one').toEqual([3, 2, 1, 0]);
    const rows = await sessionsByTag(sql('health'), tag);
    expect(rows).toHaveLength(4);
    const waits = rows.map((r) => r.lock_wait_ms!);
    expect(waits, 'each later session waited longer than the one before it').toEqual([...waits].sort((a, b) => a - b));
    let ahead = rows[0].duration_ms!;
    for (const [k, row] of rows.entries()) {
      if (k === 0) continue; // nothing ahead of the first: its wait is only the lock's own bookkeeping
      expect(row.lock_wait_ms!, `session ${k + 1} waited no longer than the ${k} session(s) ahead of it (sum ${ahead} ms)`).toBeLessThanOrEqual(1.2 * ahead);
      expect(row.lock_wait_ms!, `session ${k + 1} could not start before the one ahead of it ended`).toBeGreaterThanOrEqual(rows[k - 1].duration_ms! * 0.5);
      ahead += row.duration_ms!;
    }
  });
});
