import { z } from 'zod';
import { defineTool, ToolError, type ToolDef } from '../tool.ts';
import { plainRow } from './rows.ts';

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired'] as const;

const APPROVAL_COLUMNS = 'id, tool_name, tool_args, session_id, status, requested_at, decided_at, decided_by, reason, executed_at';

export const approvalsList = defineTool({
  name: 'approvals_list',
  description:
    'List approval requests of gated tool calls, newest first, with the full arguments the held call will run with.\n' +
    'Use when:\n- an operator reviews pending approvals\n- you need the id of an approval before deciding it',
  audience: 'operator',
  input: {
    status: z.enum(APPROVAL_STATUSES).optional().describe('Only approvals with this status'),
    limit: z.number().int().min(1).max(500).default(50).describe('How many approvals to return'),
  },
  async handler({ status, limit }, ctx) {
    const { rows } = await ctx.db.query(
      `SELECT ${APPROVAL_COLUMNS} FROM approvals
        WHERE ($1::text IS NULL OR status = $1)
        ORDER BY requested_at DESC, id
        LIMIT $2`,
      [status ?? null, limit],
    );
    return { approvals: rows.map((r) => plainRow(r)) };
  },
});

export const approvalDecide = defineTool({
  name: 'approval_decide',
  description:
    'Approve or deny a pending approval request; an approved call then runs, a denied one returns an error to its caller.\n' +
    'Use when:\n- an operator approves or denies a held tool call',
  audience: 'operator',
  input: {
    approval_id: z.string().uuid().describe('The id of the approval request'),
    decision: z.enum(['approved', 'denied']).describe('approved lets the held call run; denied refuses it'),
    decided_by: z.string().min(1).max(200).describe('Who decides, e.g. an operator name'),
    reason: z.string().max(2000).optional().describe('Why, shown to the caller on a denial'),
  },
  async handler({ approval_id, decision, decided_by, reason }, ctx) {
    // Conditional on pending, so a decision racing the gate's expiry has exactly one winner.
    const { rows } = await ctx.db.query(
      `UPDATE approvals SET status = $2, decided_by = $3, reason = $4, decided_at = clock_timestamp()
        WHERE id = $1 AND status = 'pending'
        RETURNING ${APPROVAL_COLUMNS}`,
      [approval_id, decision, decided_by, reason ?? null],
    );
    if (rows.length > 0) {
      ctx.log.info(
        { event: 'approval.decided', approval_id, tool_name: rows[0].tool_name, decision, decided_by },
        `approval ${decision}`,
      );
      return { approval: plainRow(rows[0]) };
    }
    const current = await ctx.db.query('SELECT status, decided_by FROM approvals WHERE id = $1', [approval_id]);
    if (current.rows.length === 0) {
      throw new ToolError('not_found', `no approval with approval_id "${approval_id}"; call approvals_list to find one`, {
        approval_id,
      });
    }
    const { status, decided_by: by } = current.rows[0];
    throw new ToolError(
      'already_decided',
      `approval "${approval_id}" is already ${status}${by ? ` (by ${by})` : ''}; only pending approvals can be decided`,
      { approval_id, status, decided_by: by },
    );
  },
});

export const approvalTools: ToolDef[] = [approvalsList, approvalDecide] as unknown as ToolDef[];
