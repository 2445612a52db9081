import { z } from 'zod';
import { defineTool, type ToolDef } from '../tool.ts';
import { plainRow, SESSION_NUMERIC, toNumber } from './rows.ts';
import { SESSION_STATUSES, SUMMARY_COLUMNS, TRIGGER_SOURCES, sinceField } from './session-tools.ts';

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

export const sessionsSummary = defineTool({
  name: 'sessions_summary',
  // Usage and cost reports are for operators; a butler whose sessions answer cost questions opts in (runtime.session_tools).
  session: 'opt_in',
  description:
    "Summarise this butler's sessions over a period: counts by status and by trigger source, token totals, cost and mean duration.\n" +
    'Use when:\n- the user asks how much the butler has been used or what it cost\n- you need totals of tokens, errors or sessions',
  input: {
    since: sinceField,
    until: z.string().datetime({ offset: true }).optional().describe('Only sessions started before this time (ISO 8601)'),
  },
  async handler({ since, until }, ctx) {
    const range = `($1::timestamptz IS NULL OR created_at >= $1) AND ($2::timestamptz IS NULL OR created_at < $2)`;
    const params = [since ?? null, until ?? null];
    const [groups, totals] = await Promise.all([
      ctx.db.query(`SELECT status, trigger_source, count(*) AS n FROM sessions WHERE ${range} GROUP BY 1, 2`, params),
      ctx.db.query(
        `SELECT count(*) AS total, COALESCE(sum(input_tokens), 0) AS input_tokens,
                COALESCE(sum(output_tokens), 0) AS output_tokens, COALESCE(sum(cost_usd), 0) AS cost_usd,
                avg(duration_ms) AS mean_duration_ms
           FROM sessions WHERE ${range}`,
        params,
      ),
    ]);
    const byStatus = zeroCounts(SESSION_STATUSES) as Record<string, number>;
    const bySource = zeroCounts(TRIGGER_SOURCES) as Record<string, number>;
    for (const g of groups.rows) {
      const n = Number(g.n);
      byStatus[g.status] = (byStatus[g.status] ?? 0) + n;
      bySource[g.trigger_source] = (bySource[g.trigger_source] ?? 0) + n;
    }
    const t = totals.rows[0];
    return {
      since: since ?? null,
      until: until ?? null,
      total: Number(t.total),
      by_status: byStatus,
      by_trigger_source: bySource,
      input_tokens: Number(t.input_tokens),
      output_tokens: Number(t.output_tokens),
      cost_usd: Number(t.cost_usd),
      mean_duration_ms: toNumber(t.mean_duration_ms),
    };
  },
});

export const sessionsDaily = defineTool({
  name: 'sessions_daily',
  // Usage and cost reports are for operators; a butler whose sessions answer cost questions opts in (runtime.session_tools).
  session: 'opt_in',
  description:
    "Per-day totals of this butler's sessions for the last N days (UTC, oldest first, today included): sessions, errors, tokens and cost.\n" +
    'Use when:\n- the user asks how usage or cost changed day by day',
  input: { days: z.number().int().min(1).max(366).default(7).describe('How many days to cover, today included') },
  async handler({ days }, ctx) {
    const { rows } = await ctx.db.query(
      `WITH d AS (
         SELECT generate_series(((now() AT TIME ZONE 'UTC')::date - ($1::int - 1))::timestamp, (now() AT TIME ZONE 'UTC')::date::timestamp, interval '1 day')::date AS day
       )
       SELECT to_char(d.day, 'YYYY-MM-DD') AS date, count(s.session_id) AS sessions,
              count(s.session_id) FILTER (WHERE s.status = 'error') AS errors,
              COALESCE(sum(s.input_tokens), 0) AS input_tokens, COALESCE(sum(s.output_tokens), 0) AS output_tokens,
              COALESCE(sum(s.cost_usd), 0) AS cost_usd
         FROM d LEFT JOIN sessions s ON (s.created_at AT TIME ZONE 'UTC')::date = d.day
        GROUP BY d.day ORDER BY d.day`,
      [days],
    );
    return {
      days: rows.map((r) => ({
        date: r.date,
        sessions: Number(r.sessions),
        errors: Number(r.errors),
        input_tokens: Number(r.input_tokens),
        output_tokens: Number(r.output_tokens),
        cost_usd: Number(r.cost_usd),
      })),
    };
  },
});

const RANK_EXPR = {
  cost: 'cost_usd',
  duration: 'duration_ms',
  tokens: '(COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0))',
} as const;

export const topSessions = defineTool({
  name: 'top_sessions',
  // Usage and cost reports are for operators; a butler whose sessions answer cost questions opts in (runtime.session_tools).
  session: 'opt_in',
  description:
    "Rank this butler's sessions by cost, duration or tokens, highest first.\n" +
    'Use when:\n- the user asks which sessions were the most expensive, slowest or used the most tokens',
  input: {
    by: z.enum(['cost', 'duration', 'tokens']).describe('What to rank by: cost, duration or tokens'),
    limit: z.number().int().min(1).max(100).default(10).describe('How many sessions to return'),
    since: sinceField,
  },
  async handler({ by, limit, since }, ctx) {
    const expr = RANK_EXPR[by];
    const { rows } = await ctx.db.query(
      `SELECT ${SUMMARY_COLUMNS}, ${expr} AS rank_value FROM sessions
        WHERE ($1::timestamptz IS NULL OR created_at >= $1)
          AND ${by === 'tokens' ? '(input_tokens IS NOT NULL OR output_tokens IS NOT NULL)' : `${expr} IS NOT NULL`}
        ORDER BY ${expr} DESC, created_at DESC
        LIMIT $2`,
      [since ?? null, limit],
    );
    return { by, sessions: rows.map((r) => plainRow(r, [...SESSION_NUMERIC, 'rank_value'])) };
  },
});

export const scheduleCosts = defineTool({
  name: 'schedule_costs',
  // Usage and cost reports are for operators; a butler whose sessions answer cost questions opts in (runtime.session_tools).
  session: 'opt_in',
  description:
    "Per scheduled task of this butler: how many sessions it ran and their tokens and cost.\n" +
    'Use when:\n- the user asks what the scheduled or recurring tasks cost',
  input: { since: z.string().datetime({ offset: true }).optional().describe('Only runs started at or after this time (ISO 8601)') },
  async handler({ since }, ctx) {
    const { rows } = await ctx.db.query(
      `SELECT t.id AS task_id, t.name, count(s.session_id) AS runs,
              count(s.session_id) FILTER (WHERE s.status = 'error') AS errors,
              COALESCE(sum(s.input_tokens), 0) AS input_tokens, COALESCE(sum(s.output_tokens), 0) AS output_tokens,
              COALESCE(sum(s.cost_usd), 0) AS cost_usd, max(s.created_at) AS last_run_at
         FROM scheduled_tasks t
         LEFT JOIN sessions s ON s.scheduled_task_id = t.id AND ($1::timestamptz IS NULL OR s.created_at >= $1)
        GROUP BY t.id, t.name
        ORDER BY cost_usd DESC, t.name COLLATE "C"`,
      [since ?? null],
    );
    return {
      tasks: rows.map((r) =>
        plainRow(r, ['runs', 'errors', 'input_tokens', 'output_tokens', 'cost_usd']),
      ),
    };
  },
});

export const sessionStatsTools: ToolDef[] = [sessionsSummary, sessionsDaily, topSessions, scheduleCosts] as unknown as ToolDef[];
