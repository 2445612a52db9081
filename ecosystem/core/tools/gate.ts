import type { Logger } from 'pino';
import { ToolError, type ToolContext, type ToolDef } from '../tool.ts';
import { mustGate, toolMode, type GateConfig } from './gate-policy.ts';

/** A held call re-reads its approval row at least every 250 ms (docs/ecosystem.md §14.2). */
const DEFAULT_POLL_MS = 200;

export interface GateOptions {
  /** Interval between re-reads of a pending approval row (≤ 250). */
  pollMs?: number;
}

interface ApprovalRow {
  status: 'pending' | 'approved' | 'denied' | 'expired';
  decided_by: string | null;
  reason: string | null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

async function readApproval(ctx: ToolContext, id: string): Promise<ApprovalRow | null> {
  const { rows } = await ctx.db.query('SELECT status, decided_by, reason FROM approvals WHERE id = $1', [id]);
  return (rows[0] as ApprovalRow | undefined) ?? null;
}

/** Re-reads the row until it is decided, the deadline passes or the call is aborted (then null). */
async function waitForDecision(ctx: ToolContext, id: string, deadline: number, pollMs: number): Promise<ApprovalRow | null> {
  for (;;) {
    try {
      const row = await readApproval(ctx, id);
      if (row && row.status !== 'pending') return row;
    } catch (err) {
      // A failed re-read must not drop the held call: the next poll or the expiry decides.
      ctx.log.debug({ event: 'approval.poll_failed', approval_id: id, err }, 're-reading the approval failed');
    }
    const left = deadline - Date.now();
    if (left <= 0 || ctx.signal.aborted) return null;
    await sleep(Math.min(pollMs, left), ctx.signal);
  }
}

/** Expires the row unless a decision won the race; returns the final stored row either way. */
async function expire(ctx: ToolContext, id: string, decidedBy: string): Promise<ApprovalRow> {
  const { rows } = await ctx.db.query(
    `UPDATE approvals SET status = 'expired', decided_by = $2, decided_at = clock_timestamp()
      WHERE id = $1 AND status = 'pending'
      RETURNING status, decided_by, reason`,
    [id, decidedBy],
  );
  if (rows[0]) return rows[0] as ApprovalRow;
  const row = await readApproval(ctx, id);
  if (!row) throw new ToolError('approval_missing', `approval ${id} disappeared while the call was held; retry the call`);
  return row;
}

function wrap(tool: ToolDef, gate: GateConfig, pollMs: number): ToolDef {
  const original = tool.handler;
  const timeoutMs = gate.timeout_s * 1000;
  const handler: ToolDef['handler'] = async (args, ctx) => {
    if (!mustGate(gate, tool, args)) return original(args, ctx);
    const { rows } = await ctx.db.query(
      `INSERT INTO approvals (tool_name, tool_args, session_id, status, requested_at)
       VALUES ($1, $2::jsonb, $3, 'pending', clock_timestamp()) RETURNING id`,
      [tool.name, JSON.stringify(args), ctx.sessionId],
    );
    const id: string = rows[0].id;
    ctx.log.info(
      { event: 'approval.requested', approval_id: id, tool_name: tool.name, session_id: ctx.sessionId, timeout_s: gate.timeout_s },
      `call of ${tool.name} held for approval`,
    );
    let row = await waitForDecision(ctx, id, Date.now() + timeoutMs, pollMs);
    if (row === null) {
      row = await expire(ctx, id, ctx.signal.aborted ? 'system:cancelled' : 'system:timeout');
      if (row.status === 'expired') {
        ctx.log.warn(
          { event: 'approval.expired', approval_id: id, tool_name: tool.name, session_id: ctx.sessionId, decided_by: row.decided_by },
          `approval for ${tool.name} expired without a decision`,
        );
      }
    }
    ctx.log.debug({ event: 'approval.observed', approval_id: id, status: row.status }, 'approval resolved');
    if (row.status === 'approved') {
      try {
        return await original(args, ctx);
      } finally {
        await ctx.db
          .query('UPDATE approvals SET executed_at = clock_timestamp() WHERE id = $1', [id])
          .catch((err: unknown) => ctx.log.error({ event: 'approval.executed_at_failed', approval_id: id, err }, 'could not record executed_at'));
      }
    }
    if (row.status === 'denied') {
      throw new ToolError(
        'approval_denied',
        `the call of ${tool.name} was denied${row.decided_by ? ` by ${row.decided_by}` : ''}${row.reason ? `: ${row.reason}` : ''}`,
        { approval_id: id, reason: row.reason, decided_by: row.decided_by },
      );
    }
    throw new ToolError(
      'approval_timeout',
      `the call of ${tool.name} was not approved within ${gate.timeout_s} s and did not run; ask the operator to approve it, then try again`,
      { approval_id: id, timeout_s: gate.timeout_s, decided_by: row.decided_by },
    );
  };
  return { ...tool, handler };
}

/**
 * Wraps the handlers of the tools `gate` lists (approvals.md): a call that must
 * be gated records a pending approval and runs only once approved. Tools not
 * listed, exempt (`none`) or under global mode `none` are returned unchanged.
 */
export function gateTools(tools: ToolDef[], gate: GateConfig, log: Logger, opts: GateOptions = {}): ToolDef[] {
  if (gate.mode === 'none') return tools;
  if (!Number.isFinite(gate.timeout_s) || gate.timeout_s <= 0) {
    throw new Error(`approval_gates.timeout_s must be a positive number of seconds, got ${gate.timeout_s}`);
  }
  const pollMs = Math.min(opts.pollMs ?? DEFAULT_POLL_MS, 250);
  const names = new Set(tools.map((t) => t.name));
  for (const g of gate.gated_tools) {
    // e.g. email_send is listed but only exists while the email module is active.
    if (!names.has(g.tool)) log.debug({ event: 'approval.gated_tool_absent', tool: g.tool }, 'gated tool not registered');
  }
  return tools.map((tool) => {
    const mode = toolMode(gate, tool.name);
    if (mode === null || mode === 'none') return tool;
    if (gate.mode === 'conditional' && mode === 'conditional' && !(tool.sensitive?.length)) {
      log.warn(
        { event: 'approval.config_warning', tool: tool.name },
        `approval_gates: ${tool.name} is conditional but declares no sensitive arguments, so it is never gated; mark its sensitive arguments or use approval_mode "always"`,
      );
    }
    return wrap(tool, gate, pollMs);
  });
}
