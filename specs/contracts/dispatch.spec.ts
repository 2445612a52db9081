import { DispatchResult, IngestAccepted, type ClassificationEntry } from '../../contracts/index.ts';
import { buildEnvelope, expect, test } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * The fan-out plan contract (docs/contracts.md §4, docs/ecosystem.md §8.3)
 * through the running switchboard's `dispatch` tool: dry runs for the plan
 * rules (no model, nothing executed), real dispatches for the execution
 * order, run conditions and the first_success join (CON-31…33), read back
 * from `fanout_execution_log` by dispatch id and from the targets' sessions by tag.
 */
test.describe.configure({ timeout: 90_000 });

const HEALTH: ClassificationEntry = { butler: 'health', prompt: 'Log weight 80kg', segment: { rationale: 'a body measurement' } };
const CONTACT: ClassificationEntry = { butler: 'relationship', prompt: 'Add Sarah Johnson as a contact', segment: { rationale: 'a new contact' } };
const GENERAL: ClassificationEntry = { butler: 'general', prompt: 'Remember that the blue folder is in the attic', segment: { rationale: 'a note' } };

const MODES = ['parallel', 'ordered', 'conditional'] as const;

async function dryRun(sb: McpHandle, args: Record<string, unknown>, tag: string): Promise<DispatchResult> {
  return sb.call('dispatch', { ...args, dry_run: true, tag }, DispatchResult, { timeoutMs: 30_000 });
}

/** A refused dispatch: its error code and message. */
async function refused(sb: McpHandle, args: Record<string, unknown>): Promise<{ error?: string; message?: string }> {
  const res = await sb.callTool('dispatch', args, { timeoutMs: 30_000 });
  expect(res.isError, `dispatch was accepted: ${JSON.stringify(res.data).slice(0, 500)}`).toBe(true);
  return res.data as { error?: string; message?: string };
}

async function ingested(sb: McpHandle, tag: string): Promise<string> {
  const a = await sb.call('ingest', { envelope: buildEnvelope({ body: `Log weight 80kg (${tag})`, tag }) }, IngestAccepted);
  return a.request_id;
}

interface FanoutRow { subrequest_id: string; butler: string; status: string; error_class: string | null; target_session_id: string | null; started_at: Date | null; finished_at: Date | null }
async function fanoutRows(sql: Function, where: 'dispatch_id' | 'request_id', id: string): Promise<FanoutRow[]> {
  const { rows } = await sql('switchboard').query(
    `select subrequest_id, butler, status, error_class, target_session_id::text, started_at, finished_at from fanout_execution_log where ${where} = $1 order by subrequest_id`,
    [id],
  );
  return rows as FanoutRow[];
}

async function sessionsOf(sql: Function, butler: string, tag: string): Promise<{ session_id: string; status: string; subrequest_id: string | null }[]> {
  return (await sql(butler).query('select session_id::text, status, subrequest_id from sessions where tag = $1 order by created_at', [tag])).rows;
}

test('CON-22 one entry plans parallel / wait_for_all / continue with one subrequest sr-1/seg-1, required, run_if success, no dependencies', async ({ mcp, tag }) => {
  const sb = await mcp('switchboard');
  const d = await dryRun(sb, { entries: [HEALTH] }, tag);
  expect(d).toMatchObject({ dispatch_id: null, outcomes: [] });
  expect(d.plan).toEqual({
    mode: 'parallel', join_policy: 'wait_for_all', abort_policy: 'continue',
    subrequests: [{ subrequest_id: 'sr-1', segment_id: 'seg-1', butler: 'health', prompt: HEALTH.prompt, depends_on: [], run_if: 'success', required: true, arbitration_group: null, arbitration_priority: 0 }],
  });
});

test('CON-23 three entries plan three subrequests in entry order', async ({ mcp, tag }) => {
  const sb = await mcp('switchboard');
  const entries = [CONTACT, GENERAL, HEALTH];
  const d = await dryRun(sb, { entries }, tag);
  expect(d.plan.subrequests.map((s) => [s.subrequest_id, s.segment_id, s.butler, s.prompt])).toEqual(
    entries.map((e, i) => [`sr-${i + 1}`, `seg-${i + 1}`, e.butler, e.prompt]),
  );
});

test('CON-24 policy.mode "invalid" is refused with invalid_fanout_mode ("Invalid fanout mode") and writes no fanout rows', async ({ mcp, sql, tag }) => {
  const sb = await mcp('switchboard');
  const requestId = await ingested(sb, tag);
  const err = await refused(sb, { entries: [HEALTH, CONTACT], request_id: requestId, tag, policy: { mode: 'invalid' } });
  expect(err.error).toBe('invalid_fanout_mode');
  expect(err.message).toMatch(/Invalid fanout mode/);
  expect(await fanoutRows(sql, 'request_id', requestId), 'a refused plan is not logged').toEqual([]);
  const { rows } = await sql('switchboard').query('select status from message_inbox where request_id = $1', [requestId]);
  expect(rows, 'and the inbox row is not touched').toEqual([{ status: 'accepted' }]);
});

test('CON-25 a two-way dependency and a self-dependency are both refused with dependency_cycle', async ({ mcp, tag }) => {
  const sb = await mcp('switchboard');
  const policy = { mode: 'conditional' };
  const twoWay = await refused(sb, { entries: [HEALTH, CONTACT], policy, overrides: [{ depends_on: ['sr-2'] }, { depends_on: ['sr-1'] }], dry_run: true, tag });
  expect(twoWay.error).toBe('dependency_cycle');
  const self = await refused(sb, { entries: [HEALTH, CONTACT], policy, overrides: [{ depends_on: ['sr-1'] }, {}], dry_run: true, tag });
  expect(self.error).toBe('dependency_cycle');
  // The same shape without the cycle is a valid plan: the refusal is about the cycle.
  const ok = await dryRun(sb, { entries: [HEALTH, CONTACT], policy, overrides: [{}, { depends_on: ['sr-1'] }] }, tag);
  expect(ok.plan.subrequests.map((s) => s.depends_on)).toEqual([[], ['sr-1']]);
});

test('CON-26 a dependency on a subrequest id that is not in the plan is refused with unknown_dependency', async ({ mcp, tag }) => {
  const sb = await mcp('switchboard');
  const err = await refused(sb, { entries: [HEALTH, CONTACT], policy: { mode: 'conditional' }, overrides: [{}, { depends_on: ['nonexistent'] }], dry_run: true, tag });
  expect(err.error).toBe('unknown_dependency');
});

test('CON-27 bad join, abort and run_if values are refused with invalid_join_policy, invalid_abort_policy and invalid_run_if', async ({ mcp, tag }) => {
  const sb = await mcp('switchboard');
  const entries = [HEALTH, CONTACT];
  expect((await refused(sb, { entries, policy: { join_policy: 'first_failure' }, dry_run: true, tag })).error).toBe('invalid_join_policy');
  expect((await refused(sb, { entries, policy: { abort_policy: 'never' }, dry_run: true, tag })).error).toBe('invalid_abort_policy');
  expect((await refused(sb, { entries, policy: { mode: 'conditional' }, overrides: [{}, { depends_on: ['sr-1'], run_if: 'sometimes' }], dry_run: true, tag })).error).toBe('invalid_run_if');
});

test('CON-28 dependencies in parallel mode are refused with dependencies_require_ordered_or_conditional; ordered and conditional accept them', async ({ mcp, tag }) => {
  const sb = await mcp('switchboard');
  const args = { entries: [HEALTH, CONTACT], overrides: [{}, { depends_on: ['sr-1'] }] };
  expect((await refused(sb, { ...args, policy: { mode: 'parallel' }, dry_run: true, tag })).error).toBe('dependencies_require_ordered_or_conditional');
  expect((await refused(sb, { ...args, dry_run: true, tag })).error, 'parallel is the default mode').toBe('dependencies_require_ordered_or_conditional');
  for (const mode of ['ordered', 'conditional']) {
    const d = await dryRun(sb, { ...args, policy: { mode } }, tag);
    expect(d.plan.mode).toBe(mode);
  }
});

test('CON-29 every mode without explicit policies plans wait_for_all and continue', async ({ mcp, tag }) => {
  const sb = await mcp('switchboard');
  for (const mode of MODES) {
    const d = await dryRun(sb, { entries: [HEALTH, CONTACT], policy: { mode } }, tag);
    expect(d.plan, mode).toMatchObject({ mode, join_policy: 'wait_for_all', abort_policy: 'continue' });
  }
});

test('CON-30 an empty entries list is refused with empty_plan and writes no fanout rows', async ({ mcp, sql, tag }) => {
  const sb = await mcp('switchboard');
  const requestId = await ingested(sb, tag);
  const err = await refused(sb, { entries: [], request_id: requestId, tag });
  expect(err.error).toBe('empty_plan');
  expect(await fanoutRows(sql, 'request_id', requestId)).toEqual([]);
});

test('CON-31 ordered dispatch runs health then relationship: sr-2 starts at or after sr-1 finished', async ({ mcp, sql, model, logs, tag }) => {
  model.require();
  test.setTimeout(240_000);
  const sb = await mcp('switchboard');
  const d = await sb.call('dispatch', { entries: [HEALTH, CONTACT], tag, policy: { mode: 'ordered' } }, DispatchResult, { timeoutMs: 200_000 });
  expect(d.outcomes.map((o) => [o.subrequest_id, o.butler, o.status]), JSON.stringify(d.outcomes)).toEqual([['sr-1', 'health', 'success'], ['sr-2', 'relationship', 'success']]);
  const [sr1, sr2] = await fanoutRows(sql, 'dispatch_id', d.dispatch_id!);
  expect([sr1.status, sr2.status]).toEqual(['success', 'success']);
  expect(sr1.finished_at, 'sr-1 has finished').not.toBeNull();
  expect(sr2.started_at, 'sr-2 has started').not.toBeNull();
  expect(sr2.started_at!.getTime(), 'sr-2 started no earlier than sr-1 finished').toBeGreaterThanOrEqual(sr1.finished_at!.getTime());
  // The target sessions agree: relationship's session was created after health's completed.
  const [h] = (await sql('health').query('select created_at, completed_at from sessions where session_id = $1', [sr1.target_session_id])).rows;
  const [r] = (await sql('relationship').query('select created_at, completed_at from sessions where session_id = $1', [sr2.target_session_id])).rows;
  expect(r.created_at.getTime()).toBeGreaterThanOrEqual(h.completed_at.getTime());
  logs.expectNoUnexpectedErrors();
});

test('CON-32 conditional sr-2 after a refused sr-1: run_if success skips it, run_if always runs it to success', async ({ mcp, sql, model, faults, logs, tag }) => {
  model.require();
  test.setTimeout(240_000);
  const sb = await mcp('switchboard');
  await faults.proxy('health').refuse();
  const run = (runIf: string) =>
    sb.call('dispatch', { entries: [HEALTH, CONTACT], tag, policy: { mode: 'conditional' }, overrides: [{}, { depends_on: ['sr-1'], run_if: runIf }] }, DispatchResult, { timeoutMs: 200_000 });

  const onSuccess = await run('success');
  expect(onSuccess.outcomes.map((o) => [o.subrequest_id, o.status]), JSON.stringify(onSuccess.outcomes)).toEqual([['sr-1', 'target_unavailable'], ['sr-2', 'skipped']]);
  expect((await fanoutRows(sql, 'dispatch_id', onSuccess.dispatch_id!)).map((r) => [r.subrequest_id, r.status, r.target_session_id])).toEqual([['sr-1', 'target_unavailable', null], ['sr-2', 'skipped', null]]);
  expect(await sessionsOf(sql, 'relationship', tag), 'a skipped subrequest never reaches its butler').toEqual([]);

  const always = await run('always');
  expect(always.outcomes.map((o) => [o.subrequest_id, o.status]), JSON.stringify(always.outcomes)).toEqual([['sr-1', 'target_unavailable'], ['sr-2', 'success']]);
  const rows = await fanoutRows(sql, 'dispatch_id', always.dispatch_id!);
  expect(rows.map((r) => [r.subrequest_id, r.status])).toEqual([['sr-1', 'target_unavailable'], ['sr-2', 'success']]);
  expect(rows[1].started_at!.getTime(), 'sr-2 waited for sr-1 to be terminal').toBeGreaterThanOrEqual(rows[0].finished_at!.getTime());
  expect(await sessionsOf(sql, 'relationship', tag)).toEqual([{ session_id: always.outcomes[1].session_id, status: 'completed', subrequest_id: 'sr-2' }]);
  expect(await sessionsOf(sql, 'health', tag), 'the refused target ran nothing').toEqual([]);
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.event === 'route.failed' && l.target_butler === 'health' && l.tag === tag] });
});

test('CON-33 ordered + first_success with two healthy targets: sr-1 succeeds, sr-2 is cancelled, only one target session is created', async ({ mcp, sql, model, logs, tag }) => {
  model.require();
  test.setTimeout(240_000);
  const sb = await mcp('switchboard');
  const d = await sb.call('dispatch', { entries: [HEALTH, CONTACT], tag, policy: { mode: 'ordered', join_policy: 'first_success' } }, DispatchResult, { timeoutMs: 200_000 });
  expect(d.outcomes.map((o) => [o.subrequest_id, o.butler, o.status]), JSON.stringify(d.outcomes)).toEqual([['sr-1', 'health', 'success'], ['sr-2', 'relationship', 'cancelled']]);
  const rows = await fanoutRows(sql, 'dispatch_id', d.dispatch_id!);
  expect(rows.map((r) => [r.subrequest_id, r.status])).toEqual([['sr-1', 'success'], ['sr-2', 'cancelled']]);
  expect(rows[1].started_at, 'the cancelled subrequest never started').toBeNull();
  expect(rows[1].target_session_id).toBeNull();
  expect(await sessionsOf(sql, 'health', tag)).toEqual([{ session_id: d.outcomes[0].session_id, status: 'completed', subrequest_id: 'sr-1' }]);
  expect(await sessionsOf(sql, 'relationship', tag), 'no session for the cancelled subrequest').toEqual([]);
  logs.expectNoUnexpectedErrors();
});
