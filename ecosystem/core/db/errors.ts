import type { ToolErrorContent } from '../server/tool-result.ts';

/**
 * Database failures a tool call can meet that are not the tool's fault, as
 * stable error codes (docs/ecosystem.md §5, §16): the caller (a session, the
 * switchboard, an operator) can tell "the database is slow or busy" from a
 * bug. Everything else stays `internal_error`.
 *
 * - `statement_timeout`: the server cancelled a query that ran past
 *   `db.statement_timeout_ms` (SQLSTATE 57014 with that reason; a cancel for
 *   another reason is `query_cancelled`).
 * - `pool_acquire_timeout`: every pooled connection stayed busy for
 *   `db.acquire_timeout_ms` (pg-pool's own timeout error).
 * - `db_unavailable`: the server refused, went away or is shutting down.
 */
export function asDatabaseError(err: unknown, limits: { statementTimeoutMs?: number; acquireTimeoutMs?: number } = {}): ToolErrorContent | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (code === '57014') {
    if (/statement timeout/i.test(err.message)) {
      return { error: 'statement_timeout', message: `a query ran past the statement timeout${ms(limits.statementTimeoutMs)} and was cancelled; try again later` };
    }
    return { error: 'query_cancelled', message: `the database cancelled the query: ${err.message}` };
  }
  if (err.message === 'timeout exceeded when trying to connect') {
    return { error: 'pool_acquire_timeout', message: `no database connection became free within${ms(limits.acquireTimeoutMs) || ' the acquire timeout'}; the pool is exhausted, try again later` };
  }
  if (
    code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === '57P01' || code === '57P02' || code === '57P03' ||
    /^Connection terminated/.test(err.message)
  ) {
    return { error: 'db_unavailable', message: `the database is unavailable: ${err.message}` };
  }
  return null;
}

const ms = (n: number | undefined) => (n === undefined ? '' : ` (${n} ms)`);
