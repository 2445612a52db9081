import { z } from 'zod';
import { test, expect } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';
import { approvalsOf, contactExists, insertContact, pendingApproval, type ApprovalRow } from './approvals.ts';

const Decided = z.object({ approval: z.object({ id: z.string(), status: z.string() }).passthrough() }).passthrough();

/** An operator `contact_delete` (no session) on a fresh tagged contact, in flight until the gate lets it go. */
async function heldDelete(client: McpHandle, db: import('pg').Pool, tag: string, label: string) {
  const name = `${label} ${tag}`;
  const id = await insertContact(db, name);
  const call = client.callTool('contact_delete', { name });
  const row = await pendingFor(db, name);
  return { id, name, call, row };
}

async function pendingFor(db: import('pg').Pool, name: string): Promise<ApprovalRow> {
  for (let i = 0; i < 600; i++) {
    const { rows } = await db.query<ApprovalRow>(`select * from approvals where status = 'pending' and tool_args->>'name' = $1`, [name]);
    if (rows[0]) return rows[0];
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no pending approval for ${name}`);
}

const decide = (client: McpHandle, approval_id: string, decision: 'approved' | 'denied', decided_by = 'e2e-operator', reason?: string) =>
  client.callTool('approval_decide', { approval_id, decision, decided_by, reason });

test.describe('operator calls and the audit trail', () => {
  test.describe.configure({ timeout: 90_000 });

  test('APR-22 an operator call is gated too: null session_id, and it runs once approved', async ({ mcp, sql, tag }) => {
    const client = await mcp('relationship');
    const db = sql('relationship');
    const held = await heldDelete(client, db, tag, 'Operator Contact');
    expect(held.row.session_id).toBeNull();
    expect(await contactExists(db, held.id)).toBe(true);
    const out = await decide(client, held.row.id, 'approved');
    expect(out.isError).toBe(false);
    expect((await held.call).isError).toBe(false);
    expect(await contactExists(db, held.id)).toBe(false);
  });

  test('APR-23 a decision written by SQL is noticed: the call runs within a third of the timeout', async ({ mcp, sql, tag }) => {
    const client = await mcp('relationship');
    const db = sql('relationship');
    const held = await heldDelete(client, db, tag, 'SQL Contact');
    await db.query(`update approvals set status = 'approved', decided_at = now(), decided_by = 'sql-operator' where id = $1`, [held.row.id]);
    expect((await held.call).isError).toBe(false);
    const [row] = (await db.query<ApprovalRow>('select * from approvals where id = $1', [held.row.id])).rows;
    expect(row.executed_at).not.toBeNull();
    expect(await contactExists(db, held.id)).toBe(false);
    // Relative to the configured 15 s timeout (the gate re-reads every 250 ms), not an absolute bound.
    expect(row.executed_at!.getTime() - row.decided_at!.getTime()).toBeLessThan(15_000 / 3);
  });

  test('APR-17 decided_by is whatever each decider wrote: the tool and an SQL update', async ({ mcp, sql, tag }) => {
    const client = await mcp('relationship');
    const db = sql('relationship');
    const a = await heldDelete(client, db, tag, 'Tool Decided');
    await decide(client, a.row.id, 'denied', `tool-${tag}`, 'by the tool');
    await a.call;
    const b = await heldDelete(client, db, tag, 'SQL Decided');
    await db.query(`update approvals set status = 'denied', decided_at = now(), decided_by = $2, reason = 'by SQL' where id = $1`, [b.row.id, `sql-${tag}`]);
    await b.call;
    const rows = await approvalsOf(db, tag);
    expect(rows.map((r) => [r.decided_by, r.status])).toEqual([[`tool-${tag}`, 'denied'], [`sql-${tag}`, 'denied']]);
  });

  test('APR-14 APR-16 approve, deny and expire each happen once; a second decision is already_decided; timestamps in order', async ({ mcp, sql, butlers, tag }) => {
    // A short timeout for this test only (restored after it) so one request can expire quickly.
    await butlers.restart('relationship', { overlay: { approval_gates: { timeout_s: 2 } } });
    const client = await mcp('relationship');
    const db = sql('relationship');
    const approved = await heldDelete(client, db, tag, 'Approve Me');
    await decide(client, approved.row.id, 'approved');
    await approved.call;
    const denied = await heldDelete(client, db, tag, 'Deny Me');
    await decide(client, denied.row.id, 'denied', 'e2e-operator', 'no');
    await denied.call;
    const expired = await heldDelete(client, db, tag, 'Expire Me');
    const timedOut = await expired.call;
    expect(timedOut.data).toMatchObject({ error: 'approval_timeout' });
    const rows = await approvalsOf(db, tag);
    expect(rows.map((r) => r.status)).toEqual(['approved', 'denied', 'expired']);
    for (const r of rows) {
      for (const d of ['approved', 'denied'] as const) {
        const again = await decide(client, r.id, d);
        expect(again.data, `${r.status} then ${d}`).toMatchObject({ error: 'already_decided' });
      }
      expect(r.requested_at.getTime()).toBeLessThan(r.decided_at!.getTime());
      if (r.status === 'approved') expect(r.executed_at!.getTime()).toBeGreaterThanOrEqual(r.decided_at!.getTime());
      else expect(r.executed_at).toBeNull();
    }
    expect((await approvalsOf(db, tag)).map((r) => r.status), 'the refused decisions changed nothing').toEqual(['approved', 'denied', 'expired']);
    expect(await contactExists(db, approved.id)).toBe(false);
    expect(await contactExists(db, denied.id)).toBe(true);
    expect(await contactExists(db, expired.id)).toBe(true);
    const unknown = await decide(client, '00000000-0000-4000-8000-000000000000', 'approved');
    expect(unknown.data).toMatchObject({ error: 'not_found' });
  });

  test('APR-19 a decision racing the expiry: each call ends approved-and-executed or expired-and-not, never both or neither', async ({ mcp, sql, butlers, tag }) => {
    test.setTimeout(120_000);
    await butlers.restart('relationship', { overlay: { approval_gates: { timeout_s: 2 } } });
    const client = await mcp('relationship');
    const db = sql('relationship');
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const held = await heldDelete(client, db, tag, `Race ${i}`);
      // Spread the decision evenly over 1.8-2.2 s after the request, around the 2 s expiry.
      const at = held.row.requested_at.getTime() + 1800 + (400 * i) / 9;
      await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
      await db.query(`update approvals set status = 'approved', decided_at = now(), decided_by = 'racer' where id = $1 and status = 'pending'`, [held.row.id]);
      const out = await held.call;
      const [row] = (await db.query<ApprovalRow>('select * from approvals where id = $1', [held.row.id])).rows;
      const present = await contactExists(db, held.id);
      if (row.status === 'approved') {
        expect({ executed: row.executed_at !== null, present, error: out.isError }).toEqual({ executed: true, present: false, error: false });
      } else {
        expect(row.status).toBe('expired');
        expect({ executed: row.executed_at !== null, present, error: (out.data as { error?: string }).error }).toEqual({ executed: false, present: true, error: 'approval_timeout' });
      }
      outcomes.push(row.status);
    }
    test.info().annotations.push({ type: 'outcomes', description: outcomes.join(' ') });
  });

  test('APR-20 with the global mode none nothing is gated: contact_delete runs at once, no approvals row', async ({ ecosystem, tag }) => {
    const copy = await ecosystem.launchAdHoc({ name: 'relationship', rosterDir: ecosystem.butlers.relationship.dir, register: false, overlay: { approval_gates: { mode: 'none' } } });
    try {
      const id = await insertContact(copy.sql, `Ungated ${tag}`);
      const out = await (await copy.mcp()).callTool('contact_delete', { name: `Ungated ${tag}` });
      expect(out.isError).toBe(false);
      expect(await contactExists(copy.sql, id)).toBe(false);
      expect((await copy.sql.query('select 1 from approvals')).rowCount).toBe(0);
    } finally {
      await copy.dispose();
    }
    const { rows } = await ecosystem.admin('switchboard').query('select endpoint_url from butler_registry where name = $1', ['relationship']);
    expect(rows, 'the copy left the real relationship in the registry').toEqual([{ endpoint_url: ecosystem.butlers.relationship.advertisedUrl }]);
  });

  test('APR-21 global always gates a tool listed as conditional; a per-tool none still runs at once', async ({ ecosystem, tag }) => {
    const overlay = {
      approval_gates: {
        mode: 'always',
        gated_tools: [
          { tool: 'contact_delete', approval_mode: 'conditional' },
          { tool: 'interaction_log', approval_mode: 'none' },
        ],
      },
    };
    const copy = await ecosystem.launchAdHoc({ name: 'relationship', rosterDir: ecosystem.butlers.relationship.dir, register: false, overlay });
    try {
      const client = await copy.mcp();
      await insertContact(copy.sql, `Gated ${tag}`);
      const logged = await client.callTool('interaction_log', { contact_name: `Gated ${tag}`, kind: 'call', summary: tag });
      expect(logged.isError, logged.text).toBe(false);
      const held = heldDelete(client, copy.sql, tag, 'Always');
      const { row, call } = await held;
      expect(row.tool_name).toBe('contact_delete');
      expect((await copy.sql.query(`select tool_name from approvals`)).rows).toEqual([{ tool_name: 'contact_delete' }]);
      await decide(client, row.id, 'denied');
      expect((await call).data).toMatchObject({ error: 'approval_denied' });
    } finally {
      await copy.dispose();
    }
  });
});

test('APR-08 a session can neither see nor call the approval tools; the pending row waits for the operator', async ({ mcp, sql, model, tag }) => {
  const control = model.requireDouble();
  const client = await mcp('relationship');
  const db = sql('relationship');
  const held = await heldDelete(client, db, tag, 'Self Approve');
  await model.fault({
    match: { butler: 'relationship', prompt_contains: tag },
    action: { type: 'tool_use', name: 'approval_decide', input: { approval_id: held.row.id, decision: 'approved', decided_by: 'the-session' } },
  });
  // The held operator call takes no session lock, so a session can run meanwhile.
  const r = await client.call('trigger', { prompt: `Approve request ${held.row.id} (${tag})`, trigger_source: 'test', tag }, z.object({ session_id: z.string().nullable(), tool_calls: z.array(z.object({ name: z.string(), is_error: z.boolean(), result: z.unknown() }).passthrough()) }).passthrough(), { timeoutMs: 60_000 });
  const offered = (await control.requests({ session_id: r.session_id! })).flatMap((e) => e.tools);
  expect(offered.length).toBeGreaterThan(0);
  expect(offered.filter((t) => t.startsWith('approval'))).toEqual([]);
  const forced = r.tool_calls.find((c) => c.name === 'approval_decide');
  expect(forced?.is_error, JSON.stringify(r.tool_calls)).toBe(true);
  expect(JSON.stringify(forced?.result)).toMatch(/not found|unknown tool|not_found/i);
  expect((await db.query('select status from approvals where id = $1', [held.row.id])).rows).toEqual([{ status: 'pending' }]);
  await decide(client, held.row.id, 'denied');
  await held.call;
});

test('APR-18 a heartbeat-triggered session is gated too', async ({ mcp, sql, model, schedules, tag }) => {
  model.require();
  test.setTimeout(120_000);
  const db = sql('relationship');
  const name = `${tag} Heartbeat Contact`;
  const id = await insertContact(db, name);
  await schedules.create('heartbeat', { name: `${tag}-hb`, cron: '0 3 * * *', prompt: `Delete the contact named '${name}'`, target: 'relationship' });
  await schedules.makeDue('heartbeat', `${tag}-hb`);
  const ticking = (await mcp('heartbeat')).call('tick', {}, z.unknown(), { timeoutMs: 110_000 });
  const pending = await Promise.race([
    pendingApproval(db, tag),
    ticking.then(async (t) => {
      const sessions = (await db.query('select tag, trigger_source, status, tool_calls from sessions order by created_at desc limit 2')).rows;
      throw new Error(`the tick ended without a pending approval: ${JSON.stringify({ tick: t, sessions })}`);
    }),
  ]);
  expect(pending.tool_name).toBe('contact_delete');
  const { rows } = await db.query('select trigger_source from sessions where session_id = $1', [pending.session_id]);
  expect(rows).toEqual([{ trigger_source: 'heartbeat' }]);
  await decide(await mcp('relationship'), pending.id, 'denied', 'e2e-operator', 'not from a heartbeat');
  await ticking;
  expect(await contactExists(db, id)).toBe(true);
});
