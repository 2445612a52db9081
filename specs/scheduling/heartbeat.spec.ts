import { test, expect } from '../../fixtures/index.ts';
import { nextOccurrence, tick } from './scheduling.ts';
import type { SessionRow } from './scheduling.ts';

const CYCLE = 'heartbeat-cycle';

/** The butlers a heartbeat reaches: every active registry entry except the heartbeat itself. */
async function expectedTargets(sql: (b: string) => import('pg').Pool): Promise<string[]> {
  const { rows } = await sql('switchboard').query<{ name: string }>(`select name from butler_registry where eligibility_state = 'active' and name <> 'heartbeat' order by name`);
  return rows.map((r) => r.name);
}

async function cycleSessions(sql: (b: string) => import('pg').Pool, butlers: string[], runId: string) {
  const out: Record<string, SessionRow[]> = {};
  for (const b of butlers) out[b] = (await sql(b).query<SessionRow>('select * from sessions where tag = $1', [`hb:${runId}`])).rows;
  return out;
}

test.describe('the heartbeat cycle', () => {
  test.describe.configure({ timeout: 240_000 });

  test('SCH-01 one tick reaches every active butler but itself, each in a completed heartbeat session tagged with the run', async ({ mcp, sql, model, schedules }) => {
    model.require();
    const targets = await expectedTargets(sql);
    await schedules.makeDue('heartbeat', CYCLE);
    const result = await tick(await mcp('heartbeat'));
    const runs = result.ran.filter((r) => r.name === CYCLE);
    expect(runs, JSON.stringify(result)).toHaveLength(1);
    expect((runs[0].targets ?? []).map((t) => t.butler).sort()).toEqual(targets);
    const sessions = await cycleSessions(sql, targets, runs[0].run_id);
    for (const b of targets) {
      expect(sessions[b].map((s) => ({ status: s.status, trigger_source: s.trigger_source })), b).toEqual([{ status: 'completed', trigger_source: 'heartbeat' }]);
    }
  });

  test('SCH-02 a second tick right after runs nothing, and the cycle is due at the next 10-minute boundary', async ({ mcp, sql, model, schedules }) => {
    model.require();
    await schedules.makeDue('heartbeat', CYCLE);
    const client = await mcp('heartbeat');
    const first = await tick(client);
    expect(first.ran.filter((r) => r.name === CYCLE)).toHaveLength(1);
    const again = await tick(client);
    expect(again.ran).toEqual([]);
    const row = (await schedules.task('heartbeat', CYCLE))!;
    const next = nextOccurrence('*/10 * * * *', row.last_run_at!);
    expect(row.due_at.getTime()).toBe(next.getTime());
    expect(next.getUTCMinutes() % 10).toBe(0);
    const { rows } = await sql('heartbeat').query(`select 1 from scheduled_tasks where name = $1 and last_session_id is distinct from $2`, [CYCLE, row.last_session_id]);
    expect(rows, 'the second tick recorded no run').toHaveLength(0);
  });

  test('SCH-03 a killed target fails alone: target_unavailable for it, sessions for the others, task completed naming it', async ({ mcp, sql, model, schedules, butlers }) => {
    model.require();
    const targets = await expectedTargets(sql);
    expect(targets).toContain('general');
    await butlers.kill('general');
    await schedules.makeDue('heartbeat', CYCLE);
    const result = await tick(await mcp('heartbeat'));
    const run = result.ran.find((r) => r.name === CYCLE)!;
    const general = run.targets!.find((t) => t.butler === 'general');
    expect(general).toMatchObject({ ok: false, error: expect.stringContaining('target_unavailable') });
    const others = targets.filter((t) => t !== 'general');
    const sessions = await cycleSessions(sql, others, run.run_id);
    for (const b of others) expect(sessions[b].map((s) => s.status), b).toEqual(['completed']);
    const row = (await schedules.task('heartbeat', CYCLE))!;
    expect(row.status).toBe('completed');
    expect(row.last_error).toContain('general');
  });

  test('SCH-04 every heartbeat session carries the tick\'s root trace and ran to completion', async ({ mcp, sql, model, schedules, traceparent }) => {
    model.require();
    const traceId = traceparent.split('-')[1];
    const targets = await expectedTargets(sql);
    await schedules.makeDue('heartbeat', CYCLE);
    const run = (await tick(await mcp('heartbeat'))).ran.find((r) => r.name === CYCLE)!;
    const sessions = await cycleSessions(sql, targets, run.run_id);
    for (const b of targets) {
      expect(sessions[b]).toHaveLength(1);
      expect(sessions[b][0], b).toMatchObject({ trigger_source: 'heartbeat', trace_id: traceId, status: 'completed' });
      expect(sessions[b][0].duration_ms, b).toBeGreaterThan(0);
    }
  });

  test('SCH-05 the heartbeat reaches butlers only through the switchboard: one heartbeat routing_log row per target', async ({ mcp, sql, model, schedules }) => {
    model.require();
    const targets = await expectedTargets(sql);
    await schedules.makeDue('heartbeat', CYCLE);
    const run = (await tick(await mcp('heartbeat'))).ran.find((r) => r.name === CYCLE)!;
    const { rows } = await sql('switchboard').query<{ target_butler: string; origin: string; status: string }>(
      'select target_butler, origin, status from routing_log where tag = $1 order by target_butler',
      [`hb:${run.run_id}`],
    );
    expect(rows.map((r) => r.target_butler)).toEqual(targets);
    for (const r of rows) expect(r).toMatchObject({ origin: 'heartbeat', status: 'success' });
  });
});
