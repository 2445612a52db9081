import type { ToolDef } from '../tool.ts';
import { approvalDecide, approvalsList } from './approval-tools.ts';
import { coreTools } from './index.ts';
import { call, expect, failure, makeCtx, test } from '../../testing/tool-context.ts';

const decide = approvalDecide as unknown as ToolDef;
const list = approvalsList as unknown as ToolDef;

async function pending(db: import('pg').Pool, tool = 'contact_delete'): Promise<string> {
  const { rows } = await db.query(
    `INSERT INTO approvals (tool_name, tool_args, status, requested_at) VALUES ($1, '{"contact_id": 1}', 'pending', now() - interval '1 second') RETURNING id`,
    [tool],
  );
  return rows[0].id;
}

test('approval tools are operator-only; the rest of the core tools are for all', () => {
  const audience = Object.fromEntries(coreTools.map((t) => [t.name, t.audience ?? 'all']));
  expect(audience).toEqual({
    state_get: 'all', state_set: 'all', state_list: 'all', state_delete: 'all',
    schedule_create: 'all', schedule_list: 'all', schedule_update: 'all', schedule_delete: 'all',
    sessions_list: 'all', sessions_get: 'all', sessions_summary: 'all', sessions_daily: 'all',
    top_sessions: 'all', schedule_costs: 'all', approvals_list: 'operator', approval_decide: 'operator',
  });
  for (const t of coreTools) expect(t.description).toMatch(/\nUse when:\n- /);
});

test('approval_decide records the decision; a second decision is already_decided; unknown id is not_found', async ({ db }) => {
  const { ctx, logs } = makeCtx(db);
  const id = await pending(db);
  const { approval } = await call(decide, { approval_id: id, decision: 'denied', decided_by: 'alice', reason: 'not now' }, ctx);
  expect(approval).toMatchObject({ id, status: 'denied', decided_by: 'alice', reason: 'not now', tool_args: { contact_id: 1 } });
  expect(Date.parse(approval.decided_at)).toBeGreaterThan(Date.parse(approval.requested_at));
  expect(logs.find((l) => l.event === 'approval.decided')).toMatchObject({ approval_id: id, decision: 'denied' });
  const second = await failure(() => call(decide, { approval_id: id, decision: 'approved', decided_by: 'bob' }, ctx));
  expect(second.code).toBe('already_decided');
  expect((await db.query('SELECT status, decided_by FROM approvals WHERE id = $1', [id])).rows[0]).toEqual({ status: 'denied', decided_by: 'alice' });
  const missing = await failure(() =>
    call(decide, { approval_id: '00000000-0000-4000-8000-000000000000', decision: 'approved', decided_by: 'x' }, ctx),
  );
  expect(missing.code).toBe('not_found');
});

test('concurrent decisions: exactly one wins', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const id = await pending(db);
  const outcomes = await Promise.allSettled(
    ['a', 'b', 'c', 'd'].map((who) => call(decide, { approval_id: id, decision: 'approved', decided_by: who }, ctx)),
  );
  expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  for (const o of outcomes) if (o.status === 'rejected') expect(o.reason.code).toBe('already_decided');
});

test('approvals_list filters by status, newest first, honours limit', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const first = await pending(db, 'first');
  await new Promise((r) => setTimeout(r, 5));
  const second = await pending(db, 'second');
  await db.query(`UPDATE approvals SET requested_at = now() WHERE id = $1`, [second]);
  await call(decide, { approval_id: first, decision: 'approved', decided_by: 'x' }, ctx);
  const all = (await call(list, {}, ctx)).approvals;
  expect(all.map((a: { id: string }) => a.id)).toEqual([second, first]);
  expect((await call(list, { status: 'pending' }, ctx)).approvals.map((a: { id: string }) => a.id)).toEqual([second]);
  expect((await call(list, { limit: 1 }, ctx)).approvals).toHaveLength(1);
  expect(typeof all[0].requested_at).toBe('string');
});
