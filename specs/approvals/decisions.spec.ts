import { test, expect } from '../../fixtures/index.ts';
import { approvalsOf, contactExists, contactToDelete, pendingApproval, trigger } from './approvals.ts';

test.describe('decisions and what sessions make of them', () => {
  test.describe.configure({ timeout: 90_000 });

  test('APR-09 while the decision waits the session is running in a live process; approved, it completes', async ({ mcp, sql, model, approver, tag }) => {
    model.require();
    const db = sql('relationship');
    const { id, prompt } = await contactToDelete(db, tag);
    approver.approveByTag({ delayMs: 3000 });
    const inFlight = trigger(await mcp('relationship'), prompt, tag);
    const pending = await pendingApproval(db, tag);
    const { rows } = await db.query<{ status: string; runtime_pid: number }>('select status, runtime_pid from sessions where session_id = $1', [pending.session_id]);
    expect(rows[0].status).toBe('running');
    expect(() => process.kill(rows[0].runtime_pid, 0), `session process ${rows[0].runtime_pid} alive`).not.toThrow();
    const r = await inFlight;
    expect(r.success, r.error ?? '').toBe(true);
    expect((await db.query('select status from sessions where session_id = $1', [r.session_id])).rows).toEqual([{ status: 'completed' }]);
    expect(await contactExists(db, id)).toBe(false);
  });

  test('APR-10 a denial reaches the model as an error result: the session completes with output, not error', async ({ mcp, sql, model, approver, tag }) => {
    model.require();
    const db = sql('relationship');
    const { prompt } = await contactToDelete(db, tag);
    approver.denyByTag('not now');
    const r = await trigger(await mcp('relationship'), prompt, tag);
    expect(r.success, r.error ?? '').toBe(true);
    expect(r.output?.trim().length).toBeGreaterThan(0);
    expect((await db.query('select status from sessions where session_id = $1', [r.session_id])).rows).toEqual([{ status: 'completed' }]);
  });

  test('APR-11 an expiry reaches the model too: the session completes and its answer mentions the failure', async ({ mcp, sql, model, approver, tag }) => {
    model.require();
    approver.never();
    const db = sql('relationship');
    const { prompt } = await contactToDelete(db, tag);
    const r = await trigger(await mcp('relationship'), prompt, tag);
    expect(r.success, r.error ?? '').toBe(true);
    expect(r.output ?? '').toMatch(/approv|time|expir|not|fail|could/i);
    expect((await db.query('select status from sessions where session_id = $1', [r.session_id])).rows).toEqual([{ status: 'completed' }]);
  });

  test('APR-12 two gated calls in one session are held one after the other, both approved and executed', async ({ mcp, sql, model, approver, tag }) => {
    model.require();
    const db = sql('health');
    for (const med of ['Metformin', 'Lisinopril']) await db.query(`insert into medications (name, status) values ($1, 'active')`, [`${med} ${tag}`]);
    approver.approveByTag({ delayMs: 2000 });
    const r = await trigger(await mcp('health'), `Stop taking 'Metformin ${tag}' and stop taking 'Lisinopril ${tag}'`, tag);
    expect(r.success, r.error ?? '').toBe(true);
    const rows = (await approvalsOf(db, tag)).filter((a) => a.tool_name === 'medication_stop');
    expect(rows.map((a) => a.status)).toEqual(['approved', 'approved']);
    expect(rows[1].requested_at.getTime(), 'the second call was requested after the first was decided').toBeGreaterThanOrEqual(rows[0].decided_at!.getTime());
    for (const a of rows) expect(a.executed_at).not.toBeNull();
    const meds = (await db.query<{ status: string }>('select status from medications where name like $1', [`% ${tag}`])).rows;
    expect(meds.map((m) => m.status)).toEqual(['stopped', 'stopped']);
    const { rows: s } = await db.query<{ completed_at: Date }>('select completed_at from sessions where session_id = $1', [r.session_id]);
    expect(s[0].completed_at.getTime()).toBeGreaterThanOrEqual(rows[1].decided_at!.getTime());
  });

  test('APR-13 the approver sees the arguments unredacted: tool_args equal the tool_use input the model sent', async ({ mcp, sql, model, approver, tag }) => {
    const control = model.requireDouble();
    const db = sql('relationship');
    const { prompt } = await contactToDelete(db, tag);
    approver.approveByTag();
    const r = await trigger(await mcp('relationship'), prompt, tag);
    const [row] = await approvalsOf(db, tag);
    const inputs: unknown[] = [];
    for (const e of await control.requests({ session_id: r.session_id! })) {
      const body = (await control.request(e.id))?.response?.body as { content?: { type: string; name?: string; input?: unknown }[] } | undefined;
      for (const block of body?.content ?? []) if (block.type === 'tool_use' && block.name === 'contact_delete') inputs.push(block.input);
    }
    expect(inputs).toEqual([row.tool_args]);
  });

  test('APR-15 an approval is linked to the session that made the call', async ({ mcp, sql, model, approver, tag }) => {
    model.require();
    const db = sql('relationship');
    const { prompt } = await contactToDelete(db, tag);
    approver.approveByTag();
    const r = await trigger(await mcp('relationship'), prompt, tag);
    const { rows } = await db.query('select s.tag from approvals a join sessions s on s.session_id = a.session_id where a.session_id = $1', [r.session_id]);
    expect(rows).toEqual([{ tag }]);
  });
});
