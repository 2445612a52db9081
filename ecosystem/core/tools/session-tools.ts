import { z } from 'zod';
import { defineTool, ToolError, type ToolDef } from '../tool.ts';
import { plainRow, SESSION_NUMERIC } from './rows.ts';

export const SESSION_STATUSES = ['running', 'completed', 'error'] as const;
export const TRIGGER_SOURCES = ['external', 'heartbeat', 'scheduled', 'test'] as const;

/**
 * Columns of a summary row: everything but the bulky output and tool calls,
 * which sessions_get returns in full.
 */
export const SUMMARY_COLUMNS = `session_id, butler_name, trigger_source, kind, status, model,
  left(prompt, 200) AS prompt_preview, created_at, completed_at, duration_ms, lock_wait_ms,
  jsonb_array_length(tool_calls) AS tool_call_count, input_tokens, output_tokens, api_requests,
  cost_usd, trace_id, error, request_id, subrequest_id, tag, scheduled_task_id, runtime_pid`;

export const sinceField = z
  .string()
  .datetime({ offset: true })
  .optional()
  .describe('Only sessions started at or after this time (ISO 8601)');

export const sessionsList = defineTool({
  name: 'sessions_list',
  description:
    "List this butler's past and running sessions, newest first, with status, tokens, cost and duration.\n" +
    'Use when:\n- the user asks what the butler has done recently\n- you check for sessions that ended in error\n- you need to find a session by tag, request or status',
  input: {
    limit: z.number().int().min(1).max(500).default(50).describe('How many sessions to return'),
    offset: z.number().int().min(0).default(0).describe('How many of the newest sessions to skip'),
    status: z.enum(SESSION_STATUSES).optional().describe('Only sessions with this status'),
    trigger_source: z.enum(TRIGGER_SOURCES).optional().describe('Only sessions started this way'),
    tag: z.string().max(200).optional().describe('Only sessions carrying exactly this tag'),
    request_id: z.string().uuid().optional().describe('Only sessions serving this ingested request'),
    since: sinceField,
  },
  async handler(args, ctx) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (args.status) add('status = ?', args.status);
    if (args.trigger_source) add('trigger_source = ?', args.trigger_source);
    if (args.tag !== undefined) add('tag = ?', args.tag);
    if (args.request_id) add('request_id = ?', args.request_id);
    if (args.since) add('created_at >= ?', args.since);
    params.push(args.limit, args.offset);
    const { rows } = await ctx.db.query(
      `SELECT ${SUMMARY_COLUMNS} FROM sessions
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, session_id
       LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return { sessions: rows.map((r) => plainRow(r, SESSION_NUMERIC)) };
  },
});

export const sessionsGet = defineTool({
  name: 'sessions_get',
  description:
    'Return one session in full: prompt, output, tool calls, tokens, cost, timings and error.\n' +
    'Use when:\n- you need the details of a specific session by its id',
  input: { session_id: z.string().uuid().describe('The id of the session') },
  async handler({ session_id }, ctx) {
    const { rows } = await ctx.db.query('SELECT * FROM sessions WHERE session_id = $1', [session_id]);
    if (rows.length === 0) {
      throw new ToolError('not_found', `no session with session_id "${session_id}" on ${ctx.butler}; call sessions_list to find one`, {
        session_id,
      });
    }
    return plainRow(rows[0], SESSION_NUMERIC);
  },
});

export const sessionTools: ToolDef[] = [sessionsList, sessionsGet] as unknown as ToolDef[];
