import { ClassifyResult, SessionRow, SpawnerResult } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * Session-row invariants (docs/contracts.md §6, CON-44) over real rows: the
 * first tests create sessions of every outcome (completed task and
 * classification sessions, failed ones, a running one read while held, one
 * interrupted by SIGKILL and closed by the restart), then the last test reads
 * every `sessions` row of every butler created since this file started (its
 * own tags and whatever else this worker's tests wrote in that window) and
 * parses each with the shared `SessionRow` refinement: `error` non-null
 * exactly when status is `error`, `completed_at` set for every non-running row.
 */

test.describe.configure({ mode: 'serial', timeout: 120_000 });

/** The database clock when the file's first test started, and the tags its tests created sessions under. */
let windowStart: Date | null = null;
const ownTags = new Map<string, string>(); // tag → the outcome it was made for

type Sql = (butler: string) => import('pg').Pool;
const rowsOf = async (sql: Sql, butler: string, where: string, params: unknown[]) =>
  (await sql(butler).query(`select * from sessions where ${where} order by created_at`, params)).rows as Record<string, unknown>[];

function trigger(client: McpHandle, prompt: string, tag: string) {
  return client.callTool('trigger', { prompt, trigger_source: 'test', tag }, { timeoutMs: 90_000 });
}

test('CON-44 completed sessions: a task on health and a classification on the switchboard', async ({ mcp, sql, model, logs, tag }) => {
  if (!windowStart) windowStart = (await sql('switchboard').query<{ now: Date }>('select now()')).rows[0].now;
  model.require();
  // One task session only: each one costs the whole tool list in input tokens (the per-test budget is 10,000).
  for (const [butler, prompt] of [['health', `Log weight 80kg (${tag})`]]) {
    const out = await trigger(await mcp(butler), prompt, tag);
    const r = SpawnerResult.parse(out.data);
    expect(r.success, `${butler}: ${r.error}`).toBe(true);
    const [row] = await rowsOf(sql, butler, 'session_id = $1', [r.session_id]);
    expect(row).toMatchObject({ status: 'completed', error: null, tag });
    expect(row.completed_at).not.toBeNull();
  }
  const cls = await (await mcp('switchboard')).call('classify', { text: `Log weight 80kg (${tag})`, tag }, ClassifyResult);
  expect(cls.entries.length).toBeGreaterThan(0);
  expect((await rowsOf(sql, 'switchboard', 'tag = $1', [tag])).map((r) => [r.kind, r.status])).toEqual([['classification', 'completed']]);
  ownTags.set(tag, 'completed');
  logs.expectNoUnexpectedErrors();
});

test('CON-44 failed sessions: an authentication error and an empty output end as status error with the error text', async ({ mcp, sql, model, logs, tag }) => {
  if (!windowStart) windowStart = (await sql('switchboard').query<{ now: Date }>('select now()')).rows[0].now;
  model.requireDouble();
  const health = await mcp('health');
  const authTag = `${tag}-auth`;
  await model.fault({ match: { tag: authTag }, action: { type: 'status', code: 401 }, times: 0 });
  const auth = SpawnerResult.parse((await trigger(health, `Log weight 81kg (${authTag})`, authTag)).data);
  expect(auth.success).toBe(false);
  expect(auth.error).toMatch(/auth/i);
  const emptyTag = `${tag}-empty`;
  await model.fault({ match: { tag: emptyTag }, action: { type: 'text', text: '' }, times: 0 });
  const empty = SpawnerResult.parse((await trigger(health, `Log weight 82kg (${emptyTag})`, emptyTag)).data);
  expect(empty).toMatchObject({ success: false, error: 'empty_output' });
  for (const [t, r] of [[authTag, auth], [emptyTag, empty]] as const) {
    const rows = await rowsOf(sql, 'health', 'tag = $1', [t]);
    expect(rows.map((x) => [x.session_id, x.status, x.error])).toEqual([[r.session_id, 'error', r.error]]);
    expect(rows[0].completed_at).not.toBeNull();
    ownTags.set(t, 'error');
  }
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.butler === 'health' && [authTag, emptyTag].includes(String(l.tag))] });
});

test('CON-44 a running session read while held has no completed_at; SIGKILL and restart close it as error interrupted', async ({ mcp, sql, model, butlers, logs, tag }) => {
  if (!windowStart) windowStart = (await sql('switchboard').query<{ now: Date }>('select now()')).rows[0].now;
  const control = model.requireDouble();
  await model.fault({ match: { butler: 'health', tag }, action: 'hold' });
  const inFlight = trigger(await mcp('health'), `Log weight 83kg (${tag})`, tag).catch((e: unknown) => e);
  await control.waitForHeld({ butler: 'health' }, 30_000);
  const running = await rowsOf(sql, 'health', 'tag = $1', [tag]);
  expect(running.map((r) => [r.status, r.completed_at, r.error])).toEqual([['running', null, null]]);
  expect(SessionRow.safeParse(running[0]).success, 'a running row satisfies the refinement').toBe(true);
  await butlers.kill('health');
  await inFlight;
  await butlers.restart('health');
  const closed = await rowsOf(sql, 'health', 'tag = $1', [tag]);
  expect(closed.map((r) => [r.session_id, r.status, r.error])).toEqual([[running[0].session_id, 'error', 'interrupted']]);
  expect(closed[0].completed_at).not.toBeNull();
  ownTags.set(tag, 'interrupted');
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.butler === 'health'] });
});

test('CON-44 every session row of every butler created since this file started satisfies the SessionRow refinement', async ({ ecosystem, sql, model }) => {
  model.require();
  expect(windowStart, 'the window starts at the first test of this file').not.toBeNull();
  const tags = [...ownTags.keys()];
  const bad: string[] = [];
  const byOutcome = new Map<string, number>();
  const ownSeen = new Map<string, string[]>();
  let total = 0;
  for (const butler of Object.keys(ecosystem.butlers)) {
    const rows = await rowsOf(sql, butler, 'created_at >= $1 or tag = any($2::text[])', [windowStart, tags]);
    for (const row of rows) {
      total++;
      const parsed = SessionRow.safeParse(row);
      if (!parsed.success) {
        bad.push(`${butler} ${row.session_id} (${row.status}, error ${JSON.stringify(row.error)}, completed_at ${String(row.completed_at)}): ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        continue;
      }
      const outcome = parsed.data.status === 'error' && parsed.data.error === 'interrupted' ? 'interrupted' : parsed.data.status;
      byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
      if (parsed.data.tag && ownTags.has(parsed.data.tag)) ownSeen.set(parsed.data.tag, [...(ownSeen.get(parsed.data.tag) ?? []), outcome]);
    }
  }
  console.log(`CON-44: ${total} session rows on ${Object.keys(ecosystem.butlers).length} butlers since ${windowStart!.toISOString()}: ${[...byOutcome].map(([o, n]) => `${o} ${n}`).join(', ')}; ${bad.length} broken`);
  expect(bad, 'session rows that break the SessionRow refinement').toEqual([]);
  // The rows this file made are among them, each with the outcome it was made for.
  for (const [t, outcome] of ownTags) expect(ownSeen.get(t) ?? [], `sessions of ${t}`).toContain(outcome);
  expect(byOutcome.get('completed') ?? 0).toBeGreaterThan(0);
  if (model.mode === 'double') {
    expect(byOutcome.get('error') ?? 0, 'failed sessions were created and read').toBeGreaterThanOrEqual(2);
    expect(byOutcome.get('interrupted') ?? 0, 'an interrupted session was created and read').toBeGreaterThanOrEqual(1);
  }
});
