import { test, expect } from '../../fixtures/index.ts';
import { approvalsOf, contactExists, contactToDelete, pendingApproval, trigger } from './approvals.ts';

test.describe('gated calls inside real sessions', () => {
  test.describe.configure({ timeout: 90_000 });

  test('APR-01 a gated call is held: a pending row, the contact untouched and the session running until a decision', async ({ mcp, sql, model, approver, tag }) => {
    model.require();
    approver.never();
    const db = sql('relationship');
    const { id, prompt } = await contactToDelete(db, tag);
    const inFlight = trigger(await mcp('relationship'), prompt, tag);
    const pending = await pendingApproval(db, tag);
    expect(pending.tool_name).toBe('contact_delete');
    const { rows: session } = await db.query('select status, tag from sessions where session_id = $1', [pending.session_id]);
    expect(session).toEqual([{ status: 'running', tag }]);
    expect(await contactExists(db, id), 'the contact while the call is held').toBe(true);
    approver.denyByTag('APR-01 ends the wait');
    const result = await inFlight;
    expect(result.session_id).toBe(pending.session_id);
    expect(await contactExists(db, id), 'the contact after the denial').toBe(true);
  });

  test('APR-02 an ungated tool runs straight through: the measurement row and no approvals row', async ({ mcp, sql, model, tag }) => {
    model.require();
    const r = await trigger(await mcp('health'), 'Log weight 80kg', tag);
    expect(r.success, r.error ?? '').toBe(true);
    expect(await approvalsOf(sql('health'), tag)).toEqual([]);
    const { rows } = await sql('health').query('select value::float as value from measurements where session_id = $1', [r.session_id]);
    expect(rows).toEqual([{ value: 80 }]);
  });

  test('APR-03 a notification to a named recipient is held with that recipient in tool_args', async ({ mcp, sql, model, approver, tag }) => {
    model.require();
    const address = `alice-${tag}@example.test`;
    const inFlight = trigger(await mcp('messenger'), `Send a telegram notification to '${address}' saying the report is ready`, tag);
    const pending = await pendingApproval(sql('messenger'), tag);
    expect(pending.tool_name).toBe('notification_log');
    expect(pending.tool_args.recipient).toBe(address);
    approver.denyByTag('APR-03 ends the wait');
    await inFlight;
    const { rows } = await sql('messenger').query('select 1 from notification_log where session_id = $1', [pending.session_id]);
    expect(rows, 'nothing queued for a denied call').toEqual([]);
  });

  test('APR-04 a notification to the owner (no recipient) is not gated and is queued at once', async ({ mcp, sql, model, tag }) => {
    model.require();
    const r = await trigger(await mcp('messenger'), `Send me a telegram notification saying the report ${tag} is ready`, tag);
    expect(r.success, r.error ?? '').toBe(true);
    expect(await approvalsOf(sql('messenger'), tag)).toEqual([]);
    const { rows } = await sql('messenger').query('select status, recipient from notification_log where session_id = $1', [r.session_id]);
    expect(rows).toEqual([{ status: 'queued', recipient: null }]);
  });

  test('APR-05 an approved call runs: contact gone, row approved by e2e-approver with executed_at, the entry succeeded', async ({ mcp, sql, model, approver, tag }) => {
    model.require();
    const db = sql('relationship');
    const { id, prompt } = await contactToDelete(db, tag);
    approver.approveByTag();
    const r = await trigger(await mcp('relationship'), prompt, tag);
    expect(r.success, r.error ?? '').toBe(true);
    expect(await contactExists(db, id), JSON.stringify({ calls: r.tool_calls, approvals: await approvalsOf(db, tag) })).toBe(false);
    const [row] = await approvalsOf(db, tag);
    expect(row).toMatchObject({ tool_name: 'contact_delete', status: 'approved', decided_by: 'e2e-approver', session_id: r.session_id });
    expect(row.executed_at).not.toBeNull();
    const entry = r.tool_calls.find((c) => c.name === 'contact_delete');
    expect(entry?.is_error).toBe(false);
    expect(approver.decisions().map((d) => d.approvalId)).toEqual([row.id]);
  });

  test('APR-06 a denied call does not run: contact kept, row denied with the reason, the entry is approval_denied', async ({ mcp, sql, model, approver, tag }) => {
    model.require();
    const db = sql('relationship');
    const { id, prompt } = await contactToDelete(db, tag);
    approver.denyByTag('not now');
    const r = await trigger(await mcp('relationship'), prompt, tag);
    expect(await contactExists(db, id)).toBe(true);
    const [row] = await approvalsOf(db, tag);
    expect(row).toMatchObject({ status: 'denied', reason: 'not now', executed_at: null });
    const entry = r.tool_calls.find((c) => c.name === 'contact_delete');
    expect(entry?.is_error).toBe(true);
    expect(JSON.stringify(entry?.result)).toContain('approval_denied');
    expect(JSON.stringify(entry?.result)).toContain('not now');
  });

  test('APR-07 an undecided call expires after the timeout: system:timeout, approval_timeout, contact kept', async ({ mcp, sql, model, approver, tag }) => {
    model.require();
    approver.never();
    const db = sql('relationship');
    const { id, prompt } = await contactToDelete(db, tag);
    const r = await trigger(await mcp('relationship'), prompt, tag);
    const [row] = await approvalsOf(db, tag);
    expect(row).toMatchObject({ status: 'expired', decided_by: 'system:timeout', executed_at: null });
    // The configured lower bound (staging: 15 s), not a timing assertion: an expiry cannot come sooner.
    expect(row.decided_at!.getTime() - row.requested_at.getTime()).toBeGreaterThanOrEqual(15_000);
    const entry = r.tool_calls.find((c) => c.name === 'contact_delete');
    expect(JSON.stringify(entry?.result)).toContain('approval_timeout');
    expect(await contactExists(db, id)).toBe(true);
  });
});
