import { ClassifyResult, DispatchResult, IngestAccepted, type ClassificationEntry } from '../../contracts/index.ts';
import { buildEnvelope, expect, test } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * Partial dispatch (docs/resilience.md; spec §1.1, §1.5): a dead or refusing
 * target fails only its own subrequest, the abort policy decides what else
 * runs, and the aggregate says who was unavailable. Every dispatch, routing
 * and session row is selected by this test's tag, dispatch id or request id.
 */
type Client = McpHandle;

const HEALTH = 'Log weight 80kg';
const CONTACT = 'Add Sarah Johnson as a contact';
const ENTRIES: ClassificationEntry[] = [
  { butler: 'health', prompt: HEALTH, segment: { rationale: 'a body measurement' } },
  { butler: 'relationship', prompt: CONTACT, segment: { rationale: 'a new contact' } },
];

/** Classification through the double, answering with fixed entries for this tag only. */
async function classifyAs(model: { fault: Function }, sb: Client, tag: string, entries: ClassificationEntry[]) {
  await model.fault({ match: { butler: 'switchboard', tag, session_kind: 'classification' }, action: { type: 'json', value: entries } });
  const c = await sb.call('classify', { text: `${HEALTH}. ${CONTACT}.`, tag }, ClassifyResult);
  expect(c, 'the double fixed the classification').toMatchObject({ fallback: false, entries: entries.map((e) => ({ butler: e.butler, prompt: e.prompt })) });
  return c.entries;
}

/**
 * A failed route counts towards quarantine; a killed or refusing target gets
 * no later success to clear it, so the count is reset (as an operator would)
 * and the next test meets an active registry entry.
 */
async function forgetFailures(sb: Client, ...names: string[]) {
  for (const name of names) await sb.call('registry_set_eligibility', { name, state: 'active' });
}

const routeFailedFor = (...butlers: string[]) => (l: Record<string, unknown>) =>
  (l.event === 'route.failed' || l.event === 'dispatch.log_failed') && butlers.includes(String(l.target_butler ?? ''));

async function fanoutRows(sql: Function, dispatchId: string) {
  const { rows } = await sql('switchboard').query(
    'select subrequest_id, butler, status, error_class, target_session_id::text from fanout_execution_log where dispatch_id = $1 order by subrequest_id',
    [dispatchId],
  );
  return rows as { subrequest_id: string; butler: string; status: string; error_class: string | null; target_session_id: string | null }[];
}

async function contactsOf(sql: Function, sessionId: string | null | undefined) {
  const { rows } = await sql('relationship').query(`select name from contacts where session_id = $1 and name ilike '%Sarah%'`, [sessionId]);
  return rows;
}

test('RES-19 a target refused after classification fails alone: health target_unavailable, relationship success with its row, the aggregate names health', async ({ mcp, sql, model, faults, logs, tag }) => {
  model.requireDouble();
  test.setTimeout(90_000);
  const sb = await mcp('switchboard');
  try {
    const entries = await classifyAs(model, sb, tag, ENTRIES);
    await faults.proxy('health').refuse();
    const d: DispatchResult = await sb.call('dispatch', { entries, tag, policy: { abort_policy: 'continue' } }, DispatchResult, { timeoutMs: 60_000 });
    const by = Object.fromEntries(d.outcomes.map((o) => [o.butler, o]));
    expect(by.health, JSON.stringify(d.outcomes)).toMatchObject({ status: 'target_unavailable', error: 'target_unavailable', session_id: null });
    expect(by.relationship, JSON.stringify(d.outcomes)).toMatchObject({ status: 'success' });
    expect(await contactsOf(sql, by.relationship.session_id), 'the relationship session stored its contact').toHaveLength(1);
    expect(d.aggregate.text, 'the aggregate says health was unavailable').toMatch(/health[^\n]*unavailable/i);

    const rows = await fanoutRows(sql, d.dispatch_id!);
    expect(rows.map((r) => [r.butler, r.status])).toEqual([['health', 'target_unavailable'], ['relationship', 'success']]);
    expect(rows[0].error_class, 'a failed subrequest has an error_class').toBeTruthy();
    const { rows: routed } = await sql('switchboard').query('select target_butler, status, error_class from routing_log where tag = $1 and tool_name = $2 order by target_butler', [tag, 'trigger']);
    expect(routed.map((r: any) => [r.target_butler, r.status])).toEqual([['health', 'target_unavailable'], ['relationship', 'success']]);
    expect(routed[0].error_class).toBe('connection_refused');
    logs.expectNoUnexpectedErrors({ allow: [routeFailedFor('health')] });
  } finally {
    await faults.proxy('health').pass();
    await forgetFailures(sb, 'health');
  }
});

test('RES-20 with every specialist dead each subrequest is target_unavailable, the aggregate lists both, the inbox row is failed and the switchboard answers', async ({ mcp, sql, butlers, logs, tag }) => {
  test.setTimeout(180_000); // four butlers killed here are restarted by the fixture afterwards
  const sb = await mcp('switchboard');
  const dead = ['general', 'relationship', 'health', 'messenger'];
  try {
    const accepted: IngestAccepted = await sb.call('ingest', { envelope: buildEnvelope({ body: `${HEALTH}. ${CONTACT}.`, tag }) }, IngestAccepted);
    for (const b of dead) await butlers.kill(b);
    const d: DispatchResult = await sb.call('dispatch', { entries: ENTRIES, request_id: accepted.request_id, tag }, DispatchResult, { timeoutMs: 60_000 });
    expect(d.outcomes.map((o) => [o.butler, o.status])).toEqual([['health', 'target_unavailable'], ['relationship', 'target_unavailable']]);
    for (const o of d.outcomes) expect(o.session_id, `${o.butler} ran no session`).toBeNull();
    expect(d.aggregate.text, 'the aggregate names health as unavailable').toMatch(/health[^\n]*unavailable/i);
    expect(d.aggregate.text, 'the aggregate names relationship as unavailable').toMatch(/relationship[^\n]*unavailable/i);

    const { rows: inbox } = await sql('switchboard').query('select status from message_inbox where request_id = $1', [accepted.request_id]);
    expect(inbox).toEqual([{ status: 'failed' }]);
    const { rows: routed } = await sql('switchboard').query('select target_butler, status, error_class from routing_log where request_id = $1 order by target_butler', [accepted.request_id]);
    expect(routed.map((r: any) => [r.target_butler, r.status])).toEqual([['health', 'target_unavailable'], ['relationship', 'target_unavailable']]);
    for (const r of routed) expect(r.error_class, `${r.target_butler} error_class`).toBeTruthy();

    const status = await sb.call('status', {});
    expect(status).toMatchObject({ butler: 'switchboard' });
    logs.expectNoUnexpectedErrors({ allow: [routeFailedFor('health', 'relationship')] });
  } finally {
    await forgetFailures(sb, 'health', 'relationship');
  }
});

test.describe('RES-27 ordered dispatch with a dead first subrequest follows the abort policy', () => {
  const cases = [
    { name: '(a) on_any_failure cancels sr-2', abort_policy: 'on_any_failure', required: true, sr2: 'cancelled' },
    { name: '(b) on_required_failure with sr-1 not required runs sr-2', abort_policy: 'on_required_failure', required: false, sr2: 'success' },
    { name: '(c) on_required_failure with sr-1 required cancels sr-2', abort_policy: 'on_required_failure', required: true, sr2: 'cancelled' },
  ] as const;
  for (const c of cases) {
    test(`RES-27 ${c.name}`, async ({ mcp, sql, model, butlers, logs, tag }) => {
      model.requireDouble();
      test.setTimeout(90_000);
      const sb = await mcp('switchboard');
      try {
        const entries = await classifyAs(model, sb, tag, ENTRIES);
        await butlers.kill('health');
        const d: DispatchResult = await sb.call(
          'dispatch',
          { entries, tag, policy: { mode: 'ordered', abort_policy: c.abort_policy }, overrides: [{ required: c.required }, {}] },
          DispatchResult,
          { timeoutMs: 60_000 },
        );
        expect(d.plan.subrequests.map((s) => [s.subrequest_id, s.butler, s.required])).toEqual([['sr-1', 'health', c.required], ['sr-2', 'relationship', true]]);
        expect(d.outcomes.map((o) => [o.subrequest_id, o.status])).toEqual([['sr-1', 'target_unavailable'], ['sr-2', c.sr2]]);
        const rows = await fanoutRows(sql, d.dispatch_id!);
        expect(rows.map((r) => [r.subrequest_id, r.status])).toEqual([['sr-1', 'target_unavailable'], ['sr-2', c.sr2]]);
        const { rows: sessions } = await sql('relationship').query('select session_id::text, status from sessions where tag = $1', [tag]);
        if (c.sr2 === 'cancelled') {
          expect(sessions, 'a cancelled subrequest never reaches its butler').toEqual([]);
          expect(rows[1].target_session_id).toBeNull();
        } else {
          const sr2 = d.outcomes[1];
          expect(sessions).toEqual([{ session_id: sr2.session_id, status: 'completed' }]);
          expect(await contactsOf(sql, sr2.session_id), 'sr-2 stored its contact').toHaveLength(1);
        }
        logs.expectNoUnexpectedErrors({ allow: [routeFailedFor('health')] });
      } finally {
        await forgetFailures(sb, 'health');
      }
    });
  }
});

test('RES-35 with health dead the full pipeline still serves a relationship message; routing_log says success and target_unavailable by request id', async ({ mcp, sql, model, butlers, logs, tag }) => {
  model.require();
  test.setTimeout(180_000);
  const sb = await mcp('switchboard');
  const run = async (body: string, t: string) => {
    const accepted: IngestAccepted = await sb.call('ingest', { envelope: buildEnvelope({ body, tag: t }) }, IngestAccepted);
    const c: ClassifyResult = await sb.call('classify', { text: body, request_id: accepted.request_id, tag: t }, ClassifyResult, { timeoutMs: 120_000 });
    const d: DispatchResult = await sb.call('dispatch', { entries: c.entries, request_id: accepted.request_id, tag: t }, DispatchResult, { timeoutMs: 150_000 });
    return { requestId: accepted.request_id, c, d };
  };
  try {
    await butlers.kill('health');
    const rel = await run('Add Sarah Johnson as a new contact', `${tag}-rel`);
    const hea = await run('Log my weight: 80 kg this morning', `${tag}-health`);
    expect(rel.requestId).not.toBe(hea.requestId);

    expect(rel.c.entries.map((e) => e.butler), 'classified to relationship').toEqual(['relationship']);
    const [relOut] = rel.d.outcomes;
    expect(relOut, relOut.error ?? '').toMatchObject({ butler: 'relationship', status: 'success' });
    expect(await contactsOf(sql, relOut.session_id), 'the relationship session stored its contact').toHaveLength(1);

    expect(hea.c.entries.map((e) => e.butler), 'classified to health (dead, not quarantined)').toContain('health');
    expect(hea.d.outcomes.find((o) => o.butler === 'health')).toMatchObject({ status: 'target_unavailable' });

    const routed = async (requestId: string) =>
      (await sql('switchboard').query('select target_butler, status, error_class from routing_log where request_id = $1 order by created_at', [requestId])).rows;
    expect(await routed(rel.requestId)).toEqual([{ target_butler: 'relationship', status: 'success', error_class: null }]);
    const healthRows = (await routed(hea.requestId)).filter((r: any) => r.target_butler === 'health');
    expect(healthRows.map((r: any) => r.status)).toEqual(['target_unavailable']);
    expect(healthRows[0].error_class).toBeTruthy();
    const { rows: inbox } = await sql('switchboard').query('select request_id::text, status from message_inbox where request_id = any($1::uuid[]) order by status', [[rel.requestId, hea.requestId]]);
    expect(Object.fromEntries(inbox.map((r: any) => [r.request_id, r.status]))).toMatchObject({ [rel.requestId]: 'completed' });
    logs.expectNoUnexpectedErrors({ allow: [routeFailedFor('health')] });
  } finally {
    await forgetFailures(sb, 'health');
  }
});
