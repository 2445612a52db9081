import type pg from 'pg';
import { results } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/** The four state tools of one butler, each answer parsed by its schema. */
export function stateClient(client: McpHandle) {
  return {
    get: (key: string) => client.call('state_get', { key }, results.StateGet),
    set: (key: string, value: unknown) => client.call('state_set', { key, value }, results.StateSet),
    list: (prefix?: string) => client.call('state_list', prefix === undefined ? {} : { prefix }, results.StateList),
    delete: (key: string) => client.call('state_delete', { key }, results.StateDelete),
  };
}

/** The row as PostgreSQL holds it: typed JSONB and both timestamps (microseconds, as text). */
export async function stateRow(db: pg.Pool, key: string) {
  const { rows } = await db.query<{ value: unknown; type: string; created_at: string; updated_at: string }>(
    `select value, jsonb_typeof(value) as type, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_at,
            to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as updated_at
       from state where key = $1`,
    [key],
  );
  return rows;
}
