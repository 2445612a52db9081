import { expect, results, test } from '../../fixtures/index.ts';
import { alive, failedSession, sessionById, sessionsByTag, spawnerStatus, trigger, until } from './sessions.ts';

/**
 * Model faults inside a session (docs/ecosystem.md §10, §11): whatever the
 * model does — refuses the key, rate-limits, hangs, invents a tool — the
 * session ends with a precise status and the serial lock is handed on.
 * "Lock released" is a follow-up trigger whose lock_wait_ms is small next to
 * the failed session's duration, not merely a call that did not hang.
 */

test.describe('sessions under model faults', () => {
  test.describe.configure({ timeout: 180_000 });

  test('RES-13 a 401 ends the session in error and the lock is released for the next trigger', async ({ mcp, sql, model, logs, tag }) => {
    model.requireDouble();
    await model.fault({ match: { butler: 'health', tag: `${tag}-1` }, action: { type: 'status', code: 401 } });
    const health = await mcp('health');
    const first = await trigger(health, 'Log weight 80kg', `${tag}-1`);
    expect(first.success).toBe(false);
    expect(first.error).toBe('authentication_error');
    const row = await sessionById(sql('health'), first.session_id!);
    expect(row).toMatchObject({ status: 'error', error: 'authentication_error', tag: `${tag}-1` });
    const second = await trigger(health, 'Log weight 81kg', `${tag}-2`);
    expect(second.success, second.error ?? '').toBe(true);
    expect((await sessionById(sql('health'), second.session_id!)).status).toBe('completed');
    expect(second.lock_wait_ms, 'the next trigger did not wait for a leaked lock').toBeLessThan(first.duration_ms / 2);
    logs.expectNoUnexpectedErrors({ allow: [failedSession('health', [`${tag}-1`])] });
  });

  test('RES-14 two 429s with retry-after are retried by the SDK and the session succeeds; an endless 429 ends rate_limited', async ({ mcp, sql, model, logs, tag }) => {
    const control = model.requireDouble();
    const health = await mcp('health');
    await model.fault({ match: { butler: 'health', tag: `${tag}-1` }, action: { type: 'status', code: 429, retry_after: 1 }, times: 2 });
    const ok = await trigger(health, 'Log weight 80kg', `${tag}-1`);
    expect(ok.success, ok.error ?? '').toBe(true);
    const attempts = await control.requests({ session_id: ok.session_id! });
    // The first turn took three attempts (two 429s, then the answer); later turns follow.
    expect(attempts.slice(0, 3).map((r) => r.status)).toEqual([429, 429, 200]);
    expect(ok.tool_calls.map((c) => c.name)).toContain('measurement_log');
    expect((await sessionById(sql('health'), ok.session_id!)).status).toBe('completed');

    await model.fault({ match: { butler: 'health', tag: `${tag}-2` }, action: { type: 'status', code: 429, retry_after: 1 }, times: 0 });
    const limited = await trigger(health, 'Log weight 81kg', `${tag}-2`);
    expect(limited).toMatchObject({ success: false, error: 'rate_limited' });
    expect(await sessionById(sql('health'), limited.session_id!)).toMatchObject({ status: 'error', error: 'rate_limited' });
    const tries = await control.requests({ session_id: limited.session_id! });
    expect(tries.map((r) => r.status), 'one request and the SDK\'s two retries, no more').toEqual([429, 429, 429]);
    logs.expectNoUnexpectedErrors({ allow: [failedSession('health', [`${tag}-2`])] });
  });

  test('RES-15 a session slower than its timeout ends in error "timeout", its process is killed and the next trigger starts at once', async ({ mcp, sql, model, logs, tag }) => {
    model.requireDouble();
    await model.fault({ match: { butler: 'health', tag: `${tag}-1` }, action: { type: 'delay', ms: 10_000 } });
    const health = await mcp('health');
    const slow = await trigger(health, 'Log weight 80kg', `${tag}-1`, { timeout_ms: 2000 });
    expect(slow).toMatchObject({ success: false, error: 'timeout' });
    expect(slow.duration_ms, 'a timeout cannot fire early').toBeGreaterThanOrEqual(2000);
    const row = await sessionById(sql('health'), slow.session_id!);
    expect(row).toMatchObject({ status: 'error', error: 'timeout' });
    expect(row.duration_ms!).toBeGreaterThanOrEqual(2000);
    expect(row.runtime_pid, 'the row names the session process').not.toBeNull();
    expect(alive(row.runtime_pid!), `session process ${row.runtime_pid} was killed`).toBe(false);
    const next = await trigger(health, 'Log weight 81kg', `${tag}-2`);
    expect(next.success, next.error ?? '').toBe(true);
    expect(next.lock_wait_ms, 'the next session did not wait behind the timed-out one').toBeLessThan(slow.duration_ms / 4);
    logs.expectNoUnexpectedErrors({ allow: [failedSession('health', [`${tag}-1`])] });
  });

  test('RES-18 a hallucinated tool gets an error result and the session recovers with measurement_log', async ({ mcp, sql, model, logs, tag }) => {
    model.requireDouble();
    await model.fault({ match: { butler: 'health', tag }, action: { type: 'tool_use', name: 'nonexistent_tool', input: {} } });
    const r = await trigger(await mcp('health'), 'Log weight 80kg', tag);
    expect(r.success, r.error ?? '').toBe(true);
    const row = await sessionById(sql('health'), r.session_id!);
    expect(row.status).toBe('completed');
    expect(row.tool_calls.map((c) => [c.name, c.is_error])).toEqual([
      ['nonexistent_tool', true],
      ['measurement_log', false],
    ]);
    expect(row.tool_calls[0].result, 'the session was told the tool does not exist').toMatchObject({ error: 'tool_not_found' });
    const { rows } = await sql('health').query('select type, value::float as value, unit from measurements where session_id = $1', [r.session_id]);
    expect(rows).toEqual([{ type: 'weight', value: 80, unit: 'kg' }]);
    logs.expectNoUnexpectedErrors();
  });

  test('RES-23 two concurrent triggers both succeed and never overlap', async ({ mcp, sql, model, logs, tag }) => {
    model.require();
    const [a, b] = await Promise.all([
      trigger(await mcp('health'), 'Log weight 80kg', `${tag}-1`),
      trigger(await mcp('health'), 'Log weight 81kg', `${tag}-2`),
    ]);
    expect(a.success, a.error ?? '').toBe(true);
    expect(b.success, b.error ?? '').toBe(true);
    const rows = [await sessionById(sql('health'), a.session_id!), await sessionById(sql('health'), b.session_id!)].sort(
      (x, y) => x.created_at.getTime() - y.created_at.getTime(),
    );
    expect(rows.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(rows[1].created_at.getTime(), 'the second session started after the first completed').toBeGreaterThanOrEqual(rows[0].completed_at!.getTime());
    logs.expectNoUnexpectedErrors();
  });

  test('RES-24 an external trigger behind a held scheduled session queues (depth 1) and starts after it completed', async ({ mcp, sql, model, schedules, logs, tag }) => {
    const control = model.requireDouble();
    await model.fault({ match: { butler: 'health', prompt_contains: `${tag} timer` }, action: 'hold' });
    const task = await schedules.create('health', { name: `${tag}-timer`, cron: '0 */6 * * *', prompt: `Log weight 80kg (${tag} timer)` });
    await schedules.makeDue('health', task.name);
    const probe = await mcp('health');
    const ticking = (await mcp('health')).call('tick', {}, results.TickResult, { timeoutMs: 200_000 });
    const held = await control.waitForHeld({ butler: 'health' }, 60_000);
    const ext = trigger(await mcp('health'), `Log weight 81kg (${tag} ext)`, tag);
    await until('the external trigger to queue behind the scheduled session', async () => (await spawnerStatus(probe)).queue_depth === 1);
    const busy = await spawnerStatus(probe);
    expect(busy).toMatchObject({ busy: true, queue_depth: 1 });
    expect(await sessionsByTag(sql('health'), tag), 'no external session while the scheduled one holds the lock').toEqual([]);
    await control.release(held.id);
    const [, e] = await Promise.all([ticking, ext]);
    expect(e.success, e.error ?? '').toBe(true);
    const { rows } = await sql('health').query('select session_id from sessions where scheduled_task_id = $1', [task.id]);
    expect(rows).toHaveLength(1);
    const scheduled = await sessionById(sql('health'), rows[0].session_id);
    expect(scheduled.status).toBe('completed');
    expect(busy.current_session_id, 'the scheduled session held the lock').toBe(scheduled.session_id);
    const external = await sessionById(sql('health'), e.session_id!);
    expect(external.created_at.getTime()).toBeGreaterThanOrEqual(scheduled.completed_at!.getTime());
    logs.expectNoUnexpectedErrors();
  });

  test('RES-25 a session held forever times out and the trigger queued behind it completes', async ({ mcp, sql, model, logs, tag }) => {
    const control = model.requireDouble();
    await model.fault({ match: { butler: 'health', tag: `${tag}-1` }, action: 'hold' });
    const probe = await mcp('health');
    const first = trigger(await mcp('health'), 'Log weight 80kg', `${tag}-1`, { timeout_ms: 3000 });
    await control.waitForHeld({ butler: 'health', tag: `${tag}-1` }, 60_000);
    const second = trigger(await mcp('health'), 'Log weight 81kg', `${tag}-2`);
    await until('the second trigger to queue', async () => (await spawnerStatus(probe)).queue_depth === 1);
    const [a, b] = await Promise.all([first, second]);
    expect(a).toMatchObject({ success: false, error: 'timeout' });
    expect(a.duration_ms).toBeGreaterThanOrEqual(3000);
    expect(b.success, b.error ?? '').toBe(true);
    const held = await sessionById(sql('health'), a.session_id!);
    const queued = await sessionById(sql('health'), b.session_id!);
    expect(held).toMatchObject({ status: 'error', error: 'timeout' });
    expect(alive(held.runtime_pid!), `the held session process ${held.runtime_pid} was killed`).toBe(false);
    expect(queued.status).toBe('completed');
    expect(queued.created_at.getTime(), 'the queued session ran once the timed-out one was done').toBeGreaterThanOrEqual(held.completed_at!.getTime());
    logs.expectNoUnexpectedErrors({ allow: [failedSession('health', [`${tag}-1`])] });
  });

  test('RES-26 a waiter gives up after lock_wait_timeout_s with lock_wait_timeout, no session id and no row', async ({ mcp, sql, model, butlers, logs, tag }) => {
    const control = model.requireDouble();
    await butlers.restart('health', { overlay: { runtime: { lock_wait_timeout_s: 2 } } });
    await model.fault({ match: { butler: 'health', tag: `${tag}-1` }, action: 'hold' });
    const first = trigger(await mcp('health'), 'Log weight 80kg', `${tag}-1`);
    const held = await control.waitForHeld({ butler: 'health', tag: `${tag}-1` }, 60_000);
    const waiter = await trigger(await mcp('health'), 'Log weight 81kg', `${tag}-2`);
    expect(waiter).toMatchObject({ success: false, error: 'lock_wait_timeout', session_id: null });
    expect(waiter.lock_wait_ms, 'it waited the configured 2 s').toBeGreaterThanOrEqual(2000);
    expect(await sessionsByTag(sql('health'), `${tag}-2`), 'no session row for the waiter').toEqual([]);
    await control.release(held.id);
    expect((await first).success).toBe(true);
    const gaveUp = await logs.waitFor((l) => l.event === 'spawner.lock_wait_timeout' && l.tag === `${tag}-2`, { what: 'spawner.lock_wait_timeout for the waiter' });
    expect(gaveUp, 'spawner.lock_wait_timeout logged for the waiter').toHaveLength(1);
    logs.expectNoUnexpectedErrors({ allow: [(l) => l.event === 'spawner.lock_wait_timeout' && l.tag === `${tag}-2`] });
  });

  test('RES-32 a session killed by its timeout mid-way keeps the rows it wrote and releases the lock', async ({ mcp, sql, model, logs, tag }) => {
    const control = model.requireDouble();
    // The model answers slowly (1.5 s), then not at all: the kill lands while the session waits for its second turn,
    // after the weight was written. (The session clock includes the process start, ~1 s here, so the catalog's bare
    // "delay 1500, timeout 2000" would kill it before any tool ran; 4000 leaves room for exactly one turn.)
    await model.fault({ match: { butler: 'health', tag: `${tag}-1` }, action: { type: 'delay', ms: 1500 } });
    await model.fault({ match: { butler: 'health', tag: `${tag}-1`, nth: 2 }, action: 'hold', times: 0 });
    const health = await mcp('health');
    const r = await trigger(health, 'Weight 80kg, blood pressure 120/80', `${tag}-1`, { timeout_ms: 4000 });
    expect(r).toMatchObject({ success: false, error: 'timeout' });
    expect(r.duration_ms).toBeGreaterThanOrEqual(4000);
    const row = await sessionById(sql('health'), r.session_id!);
    expect(row).toMatchObject({ status: 'error', error: 'timeout' });
    const asked = await control.requests({ session_id: r.session_id! });
    expect(asked.map((q) => q.held), 'the first turn was answered, the second was still waiting at the kill').toEqual([false, true]);
    const { rows } = await sql('health').query('select type, value::float as value, created_at from measurements where session_id = $1', [r.session_id]);
    expect(rows.map(({ type, value }) => ({ type, value })), 'the weight written before the kill remains; the blood pressure never came').toEqual([{ type: 'weight', value: 80 }]);
    expect(rows[0].created_at.getTime()).toBeLessThanOrEqual(row.completed_at!.getTime());
    const next = await trigger(health, 'Log weight 81kg', `${tag}-2`);
    expect(next.success, next.error ?? '').toBe(true);
    expect(next.lock_wait_ms, 'the next session did not wait behind the killed one').toBeLessThan(r.duration_ms / 4);
    logs.expectNoUnexpectedErrors({ allow: [failedSession('health', [`${tag}-1`])] });
  });
});
