import type { Pool } from 'pg';
import type { RouteOrigin } from './types.ts';

/** The registry columns routing reads. */
export interface RegistryEntry {
  name: string;
  endpoint_url: string;
  route_contract_version: string;
  eligibility_state: string;
  consecutive_failures: number;
  last_seen_at: Date | null;
}

/** One `routing_log` row (docs/ecosystem.md §4.2). */
export interface RoutingLogRow {
  request_id: string | null;
  subrequest_id: string | null;
  origin: RouteOrigin;
  target_butler: string;
  tool_name: string;
  status: 'success' | 'error' | 'timeout' | 'target_unavailable' | 'target_quarantined';
  error_class: string | null;
  error_message: string | null;
  client_reused: boolean;
  preflight: boolean;
  route_contract_version: string | null;
  duration_ms: number;
  trace_id: string | null;
  tag: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMNS = 'name, endpoint_url, route_contract_version, eligibility_state, consecutive_failures, last_seen_at';

const INSERT_LOG = `INSERT INTO routing_log (request_id, subrequest_id, origin, target_butler, tool_name, status, error_class, error_message,
                                  client_reused, preflight, route_contract_version, duration_ms, trace_id, tag)`;
const LOG_VALUES = '($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)';

function logParams(row: RoutingLogRow): unknown[] {
  return [
    row.request_id && UUID.test(row.request_id) ? row.request_id : null,
    row.subrequest_id, row.origin, row.target_butler, row.tool_name, row.status, row.error_class, row.error_message,
    row.client_reused, row.preflight, row.route_contract_version, Math.round(row.duration_ms), row.trace_id, row.tag,
  ];
}

/** The SQL the router runs against the switchboard's own database. */
export function registryStore(db: Pool) {
  return {
    async lookup(name: string): Promise<RegistryEntry | null> {
      const { rows } = await db.query<RegistryEntry>(`SELECT ${COLUMNS} FROM butler_registry WHERE name = $1`, [name]);
      return rows[0] ?? null;
    },

    /** Quarantined entries, active ones not seen for `staleAfterS`, or exactly the named ones. */
    async forHealthCheck(names: string[] | undefined, staleAfterS: number): Promise<RegistryEntry[]> {
      const { rows } = names
        ? await db.query<RegistryEntry>(`SELECT ${COLUMNS} FROM butler_registry WHERE name = ANY($1::text[]) ORDER BY name`, [names])
        : await db.query<RegistryEntry>(
            `SELECT ${COLUMNS} FROM butler_registry
              WHERE eligibility_state = 'quarantined'
                 OR last_seen_at IS NULL
                 OR last_seen_at < now() - make_interval(secs => $1)
              ORDER BY name`,
            [staleAfterS],
          );
      return rows;
    },

    /** The target answered: failures reset, seen now. */
    async markSeen(name: string): Promise<void> {
      await db.query(
        `UPDATE butler_registry SET consecutive_failures = 0, last_seen_at = now(), updated_at = now() WHERE name = $1`,
        [name],
      );
    },

    /**
     * One more transport failure or timeout; at `threshold` the entry becomes
     * quarantined. `quarantined` is true only for the call that crossed it.
     */
    async markFailure(name: string, threshold: number, reason: string): Promise<{ failures: number; quarantined: boolean } | null> {
      const { rows } = await db.query<{ failures: number; quarantined: boolean }>(
        `UPDATE butler_registry SET
           consecutive_failures = consecutive_failures + 1,
           eligibility_state = CASE WHEN consecutive_failures + 1 >= $2 THEN 'quarantined' ELSE eligibility_state END,
           quarantined_at = CASE WHEN eligibility_state = 'active' AND consecutive_failures + 1 >= $2 THEN now() ELSE quarantined_at END,
           quarantine_reason = CASE WHEN eligibility_state = 'active' AND consecutive_failures + 1 >= $2 THEN $3 ELSE quarantine_reason END,
           updated_at = now()
         WHERE name = $1
         RETURNING consecutive_failures AS failures,
                   (eligibility_state = 'quarantined' AND quarantined_at = now()) AS quarantined`,
        [name, threshold, reason],
      );
      return rows[0] ?? null;
    },

    /** A health check succeeded: active, counter 0, seen now. Returns the state before. */
    async reactivate(name: string): Promise<string | null> {
      const { rows } = await db.query<{ previous: string }>(
        `UPDATE butler_registry r SET eligibility_state = 'active', consecutive_failures = 0, last_seen_at = now(),
                quarantined_at = NULL, quarantine_reason = NULL, updated_at = now()
           FROM (SELECT name, eligibility_state FROM butler_registry WHERE name = $1 FOR UPDATE) old
          WHERE r.name = old.name
          RETURNING old.eligibility_state AS previous`,
        [name],
      );
      return rows[0]?.previous ?? null;
    },

    async log(row: RoutingLogRow): Promise<void> {
      await db.query(`${INSERT_LOG} VALUES ${LOG_VALUES}`, logParams(row));
    },

    /**
     * `markSeen(name)` and `log(row)` in one statement (one round trip instead
     * of two on every successful route); both happen or neither does.
     */
    async logSeen(row: RoutingLogRow, name: string): Promise<void> {
      await db.query(
        `WITH seen AS (UPDATE butler_registry SET consecutive_failures = 0, last_seen_at = now(), updated_at = now() WHERE name = $15)
         ${INSERT_LOG} VALUES ${LOG_VALUES}`,
        [...logParams(row), name],
      );
    },
  };
}

export type RegistryStore = ReturnType<typeof registryStore>;
