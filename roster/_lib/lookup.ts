import type { Pool } from 'pg';
import { ToolError } from '@butlers/framework';
import { given } from './rows.ts';

/** What to look up and how to describe it in errors. */
export interface NameLookup {
  db: Pool;
  /** Table to search; must come from code, never from arguments. */
  table: string;
  /** Singular noun for messages, e.g. "contact". */
  noun: string;
  id?: string | null;
  name?: string | null;
  /** Argument names as the caller sees them, for error messages. */
  idArg: string;
  nameArg: string;
  /** Extra SQL condition (no parameters), e.g. "status = 'active'". */
  where?: string;
  /** Also try a unique partial (ILIKE) match when no name matches exactly. */
  partial?: boolean;
}

/**
 * Resolves exactly one row id from an id or a name (case-insensitive exact
 * match, optionally a unique partial match). Errors: `invalid_arguments`
 * (neither given), `not_found`, `ambiguous_name` (details list candidates).
 */
export async function resolveOne(q: NameLookup): Promise<string> {
  const extra = q.where ? ` and ${q.where}` : '';
  if (given(q.id)) {
    const { rows } = await q.db.query<{ id: string; name: string }>(
      `select id, name from ${q.table} where id = $1${extra}`,
      [q.id],
    );
    if (rows.length === 0) throw new ToolError('not_found', `no ${q.noun} with ${q.idArg} ${q.id}`, { [q.idArg]: q.id });
    if (given(q.name) && rows[0].name.trim().toLowerCase() !== q.name.trim().toLowerCase()) {
      throw new ToolError(
        'invalid_arguments',
        `${q.idArg} ${q.id} is the ${q.noun} "${rows[0].name}", not "${q.name}"; give only one of ${q.idArg} or ${q.nameArg}`,
      );
    }
    return rows[0].id;
  }
  if (!given(q.name)) {
    throw new ToolError('invalid_arguments', `give ${q.idArg} or ${q.nameArg} to say which ${q.noun}`);
  }
  const name = q.name.trim();
  let { rows } = await q.db.query<{ id: string; name: string }>(
    `select id, name from ${q.table} where lower(btrim(name)) = lower($1)${extra} order by created_at`,
    [name],
  );
  if (rows.length === 0 && q.partial) {
    const pattern = `%${name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    ({ rows } = await q.db.query<{ id: string; name: string }>(
      `select id, name from ${q.table} where name ilike $1${extra} order by created_at`,
      [pattern],
    ));
  }
  if (rows.length === 0) throw new ToolError('not_found', `no ${q.noun} named "${name}"`, { [q.nameArg]: name });
  if (rows.length > 1) {
    throw new ToolError(
      'ambiguous_name',
      `${rows.length} ${q.noun}s match "${name}"; call again with ${q.idArg} set to one of the candidates' ids`,
      { candidates: rows.map((r) => ({ id: r.id, name: r.name })) },
    );
  }
  return rows[0].id;
}
