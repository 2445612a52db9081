import { z } from 'zod';
import { defineTool, type ToolDef } from '../tool.ts';
import { approvalDecide } from './approval-tools.ts';
import { gateTools } from './gate.ts';
import { isTrivial, mustGate, redactArgs, type GateConfig } from './gate-policy.ts';
import { call, expect, failure, insertSession, makeCtx, test } from '../../testing/tool-context.ts';

const decide = approvalDecide as unknown as ToolDef;

/** A gated tool whose runs are counted, so tests can tell whether it executed. */
function counterTool(name: string, runs: string[]): ToolDef {
  return defineTool({
    name,
    description: 'test tool',
    input: { recipient: z.string().optional(), body: z.string(), channel: z.enum(['telegram', 'email']).default('telegram') },
    sensitive: ['recipient'],
    async handler(args) {
      runs.push(args.body);
      return { sent: args.body };
    },
  }) as unknown as ToolDef;
}

const gate = (over: Partial<GateConfig> = {}): GateConfig => ({
  mode: 'conditional',
  timeout_s: 2,
  gated_tools: [
    { tool: 'always_tool', approval_mode: 'always' },
    { tool: 'cond_tool', approval_mode: 'conditional' },
    { tool: 'exempt_tool', approval_mode: 'none' },
  ],
  ...over,
});

async function waitForPending(db: import('pg').Pool): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await db.query(`SELECT id FROM approvals WHERE status = 'pending'`);
    if (rows[0]) return rows[0].id;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no pending approval appeared');
}

test('gating table of docs/ecosystem.md §14.1 and triviality', () => {
  const runs: string[] = [];
  const cond = counterTool('cond_tool', runs);
  const always = counterTool('always_tool', runs);
  const exempt = counterTool('exempt_tool', runs);
  const unlisted = counterTool('other', runs);
  const withRecipient = { recipient: 'alice@example.test', body: 'b', channel: 'telegram' };
  const owner = { recipient: '  ', body: 'b', channel: 'telegram' };
  expect(mustGate(gate({ mode: 'none' }), always, withRecipient)).toBe(false);
  expect(mustGate(gate(), always, owner)).toBe(true);
  expect(mustGate(gate(), cond, withRecipient)).toBe(true);
  expect(mustGate(gate(), cond, owner)).toBe(false);
  expect(mustGate(gate(), cond, { body: 'b', channel: 'telegram' })).toBe(false);
  expect(mustGate(gate(), exempt, withRecipient)).toBe(false);
  expect(mustGate(gate({ mode: 'always' }), cond, owner)).toBe(true);
  expect(mustGate(gate({ mode: 'always' }), exempt, withRecipient)).toBe(false);
  expect(mustGate(gate({ mode: 'always' }), unlisted, withRecipient)).toBe(false);
  for (const v of [undefined, null, '', ' \t', [], {}]) expect(isTrivial(v)).toBe(true);
  expect(isTrivial('telegram', 'telegram')).toBe(true);
  expect(isTrivial('email', 'telegram')).toBe(false);
  expect(isTrivial(0)).toBe(false);
  expect(redactArgs({ recipient: 'a@b', body: 'x', none: null }, ['recipient', 'none'])).toEqual({ recipient: '***', body: 'x', none: null });
});

test('approved: the held call runs once, executed_at set after decided_at, linked to the session', async ({ db }) => {
  const runs: string[] = [];
  const [wrapped] = gateTools([counterTool('cond_tool', runs)], gate(), makeCtx(db).log, { pollMs: 50 });
  const sessionId = await insertSession(db, { status: 'running' });
  const { ctx, logs } = makeCtx(db, { sessionId });
  const pending = call(wrapped, { recipient: 'alice@example.test', body: 'hello' }, ctx);
  const id = await waitForPending(db);
  expect(runs).toEqual([]);
  const op = makeCtx(db).ctx;
  const { approval } = await call(decide, { approval_id: id, decision: 'approved', decided_by: 'e2e-approver' }, op);
  expect(approval).toMatchObject({ status: 'approved', decided_by: 'e2e-approver', executed_at: null });
  expect(await pending).toEqual({ sent: 'hello' });
  expect(runs).toEqual(['hello']);
  const { rows } = await db.query('SELECT * FROM approvals WHERE id = $1', [id]);
  expect(rows[0]).toMatchObject({ tool_name: 'cond_tool', session_id: sessionId, status: 'approved' });
  expect(rows[0].tool_args).toEqual({ recipient: 'alice@example.test', body: 'hello', channel: 'telegram' });
  expect(rows[0].requested_at.getTime()).toBeLessThanOrEqual(rows[0].decided_at.getTime());
  expect(rows[0].executed_at.getTime()).toBeGreaterThanOrEqual(rows[0].decided_at.getTime());
  expect(logs.find((l) => l.event === 'approval.requested')).toMatchObject({ approval_id: id, session_id: sessionId });
  expect(JSON.stringify(logs)).not.toContain('alice@example.test');
});

test('denied: error approval_denied with the reason, tool not run, executed_at null', async ({ db }) => {
  const runs: string[] = [];
  const [wrapped] = gateTools([counterTool('always_tool', runs)], gate(), makeCtx(db).log, { pollMs: 50 });
  const { ctx } = makeCtx(db);
  const pending = failure(() => call(wrapped, { body: 'b' }, ctx));
  const id = await waitForPending(db);
  // A decision written straight into the row (an operator's SQL) works too.
  await db.query(`UPDATE approvals SET status = 'denied', decided_by = 'ops', reason = 'not now', decided_at = now() WHERE id = $1`, [id]);
  const err = await pending;
  expect(err.code).toBe('approval_denied');
  expect(err.message).toContain('not now');
  expect(err.details).toMatchObject({ approval_id: id, reason: 'not now' });
  expect(runs).toEqual([]);
  const { rows } = await db.query('SELECT status, executed_at, session_id FROM approvals WHERE id = $1', [id]);
  expect(rows[0]).toEqual({ status: 'denied', executed_at: null, session_id: null });
});

test('timeout: row expired by system:timeout, approval_timeout, not run; a later decision is already_decided', async ({ db }) => {
  const runs: string[] = [];
  const [wrapped] = gateTools([counterTool('always_tool', runs)], gate({ timeout_s: 0.5 }), makeCtx(db).log, { pollMs: 50 });
  const { ctx, logs } = makeCtx(db);
  const started = Date.now();
  const err = await failure(() => call(wrapped, { body: 'b' }, ctx));
  expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  expect(err.code).toBe('approval_timeout');
  expect(runs).toEqual([]);
  const { rows } = await db.query('SELECT id, status, decided_by, decided_at, executed_at FROM approvals');
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 'expired', decided_by: 'system:timeout', executed_at: null });
  expect(rows[0].decided_at).not.toBeNull();
  expect(logs.find((l) => l.event === 'approval.expired')?.level).toBe(40);
  const again = await failure(() => call(decide, { approval_id: rows[0].id, decision: 'approved', decided_by: 'late' }, makeCtx(db).ctx));
  expect(again.code).toBe('already_decided');
  expect(again.details).toMatchObject({ status: 'expired' });
});

test('calls that need no approval run at once without an approvals row', async ({ db }) => {
  const runs: string[] = [];
  const tools = gateTools(
    [counterTool('cond_tool', runs), counterTool('exempt_tool', runs), counterTool('other', runs)],
    gate(),
    makeCtx(db).log,
  );
  const { ctx } = makeCtx(db);
  for (const t of tools) await call(t, { body: t.name, recipient: t.name === 'cond_tool' ? '' : 'x@y' }, ctx);
  expect(runs).toEqual(['cond_tool', 'exempt_tool', 'other']);
  expect((await db.query('SELECT count(*)::int AS n FROM approvals')).rows[0].n).toBe(0);
  const untouched = [counterTool('always_tool', runs)];
  expect(gateTools(untouched, gate({ mode: 'none' }), makeCtx(db).log)).toBe(untouched);
});

test('a decision that beats the expiry update wins: the call runs and the row stays approved', async ({ db }) => {
  const runs: string[] = [];
  const [wrapped] = gateTools([counterTool('always_tool', runs)], gate({ timeout_s: 0.3 }), makeCtx(db).log, { pollMs: 50 });
  const { ctx } = makeCtx(db);
  // The approver commits just before the gate's conditional expiry runs.
  const racing = {
    query: async (sql: string, params?: unknown[]) => {
      if (sql.includes(`status = 'expired'`)) {
        await db.query(`UPDATE approvals SET status = 'approved', decided_by = 'racer', decided_at = now() WHERE id = $1`, params?.slice(0, 1));
      }
      return db.query(sql, params);
    },
  };
  const result = await call(wrapped, { body: 'raced' }, { ...ctx, db: racing as unknown as typeof db });
  expect(result).toEqual({ sent: 'raced' });
  expect(runs).toEqual(['raced']);
  const { rows } = await db.query('SELECT status, decided_by, executed_at FROM approvals');
  expect(rows[0]).toMatchObject({ status: 'approved', decided_by: 'racer' });
  expect(rows[0].executed_at).not.toBeNull();
});

test('an aborted call stops waiting and expires its row as system:cancelled', async ({ db }) => {
  const runs: string[] = [];
  const [wrapped] = gateTools([counterTool('always_tool', runs)], gate({ timeout_s: 30 }), makeCtx(db).log, { pollMs: 50 });
  const { ctx, abort } = makeCtx(db);
  const pending = failure(() => call(wrapped, { body: 'b' }, ctx));
  await waitForPending(db);
  const started = Date.now();
  abort.abort();
  expect((await pending).code).toBe('approval_timeout');
  expect(Date.now() - started).toBeLessThan(5_000);
  expect((await db.query('SELECT status, decided_by FROM approvals')).rows[0]).toEqual({ status: 'expired', decided_by: 'system:cancelled' });
  expect(runs).toEqual([]);
});
