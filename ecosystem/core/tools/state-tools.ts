import { z } from 'zod';
import { defineTool, ToolError, type ToolDef } from '../tool.ts';

/**
 * updated_at as ISO 8601 with PostgreSQL's full microsecond precision: a
 * millisecond ISO string makes concurrent writes tie, and then no client can
 * tell which write was last (STA-16).
 */
const isoMicros = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const keyDescription = 'A short snake_case name for the subject';

/** JSONB (and TEXT) cannot hold U+0000; refusing it up front gives a clear error instead of a pg one. */
function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) return `${path} (an object key)`;
      const hit = findNul(v, `${path}.${k}`);
      if (hit) return hit;
    }
  }
  return null;
}

function refuseNul(value: unknown, name: string): void {
  const where = findNul(value, name);
  if (where) {
    throw new ToolError(
      'unsupported_character',
      `${where} contains the character U+0000, which the state store (JSONB) cannot hold; remove it or encode the data first`,
      { path: where },
    );
  }
}

export const stateGet = defineTool({
  name: 'state_get',
  description:
    "Read one value from this butler's persistent key-value state store. " +
    'The result says whether the key exists; a stored null is different from a missing key.\n' +
    'Use when:\n- the user asks what is my ... (a goal, preference or fact saved earlier)\n' +
    '- you need to recall something remembered in an earlier session\n- you look up a saved value by its key',
  input: { key: z.string().min(1).max(512).describe(keyDescription) },
  async handler({ key }, ctx) {
    refuseNul(key, 'key');
    const { rows } = await ctx.db.query(`SELECT value, ${isoMicros('updated_at')} AS updated_at FROM state WHERE key = $1`, [key]);
    const row = rows[0];
    if (!row) return { key, exists: false, value: null, updated_at: null };
    return { key, exists: true, value: row.value, updated_at: row.updated_at as string };
  },
});

export const stateSet = defineTool({
  name: 'state_set',
  description:
    "Store a value under a key in this butler's persistent key-value state store, replacing any previous value. " +
    'Values survive across sessions and restarts.\n' +
    'Use when:\n- the user asks you to remember something\n- you need to store a fact, goal or preference for later\n' +
    '- you save working context at the end of a task',
  input: {
    key: z.string().min(1).max(512).describe(keyDescription),
    value: z
      .unknown()
      .refine((v) => v !== undefined, { message: 'value is required: pass any JSON value (null is allowed)' })
      .describe('The value to store: any JSON value (text, number, true or false, null, a list or an object)'),
  },
  async handler({ key, value }, ctx) {
    refuseNul(key, 'key');
    refuseNul(value, 'value');
    // One upsert statement: concurrent writers never hit a unique violation. clock_timestamp()
    // is taken after the row lock, so the last committed writer also has the latest updated_at.
    const { rows } = await ctx.db.query(
      `INSERT INTO state (key, value, created_at, updated_at)
       VALUES ($1, $2::jsonb, now(), clock_timestamp())
       ON CONFLICT (key) DO UPDATE
         SET value = EXCLUDED.value,
             updated_at = GREATEST(clock_timestamp(), state.updated_at + interval '1 microsecond')
       RETURNING (xmax = 0) AS created, ${isoMicros('state.updated_at')} AS updated_at`,
      [key, JSON.stringify(value ?? null)],
    );
    return { key, created: rows[0].created === true, updated_at: rows[0].updated_at as string };
  },
});

export const stateList = defineTool({
  name: 'state_list',
  description:
    "List keys and values in this butler's persistent key-value state store, sorted by key, " +
    'optionally only the keys that start with a prefix.\n' +
    'Use when:\n- the user asks you to check the state store\n- you need to list what has been remembered\n' +
    '- you do not know the exact key and want to see all saved keys',
  input: {
    prefix: z
      .string()
      .max(512)
      .optional()
      .describe('Only list keys that start with exactly this text (no wildcards); leave out to list every key'),
  },
  async handler({ prefix }, ctx) {
    // starts_with is literal: % and _ in the prefix are ordinary characters, unlike LIKE.
    const { rows } = prefix
      ? await ctx.db.query(
          `SELECT key, value, ${isoMicros('updated_at')} AS updated_at FROM state WHERE starts_with(key, $1) ORDER BY key COLLATE "C"`,
          [prefix],
        )
      : await ctx.db.query(`SELECT key, value, ${isoMicros('updated_at')} AS updated_at FROM state ORDER BY key COLLATE "C"`);
    return { items: rows.map((r) => ({ key: r.key, value: r.value, updated_at: r.updated_at as string })) };
  },
});

export const stateDelete = defineTool({
  name: 'state_delete',
  description:
    "Delete one key and its value from this butler's persistent key-value state store.\n" +
    'Use when:\n- the user asks you to forget something remembered earlier\n- a saved value is obsolete and should be removed',
  input: { key: z.string().min(1).max(512).describe(keyDescription) },
  async handler({ key }, ctx) {
    refuseNul(key, 'key');
    const { rowCount } = await ctx.db.query('DELETE FROM state WHERE key = $1', [key]);
    return { key, deleted: (rowCount ?? 0) > 0 };
  },
});

export const stateTools: ToolDef[] = [stateGet, stateSet, stateList, stateDelete] as unknown as ToolDef[];
