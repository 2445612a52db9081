import type pg from 'pg';
import { expect, results } from '../../fixtures/index.ts';
import { connectMcp } from '../../staging/mcp/client.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';
import { declaredTables, declaredTools, loadSqlParser } from '../../staging/roster-declarations.ts';
import type { RosterEntry } from '../../staging/roster.ts';
import { BUTLER_TABLES, CORE_TABLES, MODULE_TABLES } from './expected-schema.ts';

/**
 * The per-butler smoke checks, written once and used both for the worker's
 * butlers and for an ad-hoc butler from a roster copy (SMK-08): discovery is
 * by folder, so a new butler needs no test change.
 */
export interface LivenessTarget {
  name: string;
  url: string;
  healthzUrl: string;
}

export async function checkLiveness(b: LivenessTarget): Promise<void> {
  const res = await fetch(b.healthzUrl);
  expect(res.status, `${b.name} /healthz`).toBe(200);
  expect(await res.json()).toEqual({ butler: b.name, ready: true });
  for (const transport of ['streamable', 'sse'] as const) {
    const client = await connectMcp(b.url, { transport });
    try {
      const status = await client.call('status', {}, results.StatusResult);
      expect(status.butler, `${b.name} status over ${transport}`).toBe(b.name);
      expect(status.daemon.uptime_seconds, `${b.name} uptime over ${transport}`).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  }
}

/** Columns of every base table in the public schema: table → column → data_type. */
export async function tableColumns(pool: pg.Pool): Promise<Record<string, Record<string, string>>> {
  const { rows } = await pool.query<{ table_name: string; column_name: string; data_type: string }>(
    `select c.table_name, c.column_name, c.data_type
       from information_schema.columns c
       join information_schema.tables t on t.table_name = c.table_name and t.table_schema = c.table_schema
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE'`,
  );
  const out: Record<string, Record<string, string>> = {};
  for (const r of rows) (out[r.table_name] ??= {})[r.column_name] = r.data_type;
  return out;
}

export async function checkCoreSchema(pool: pg.Pool, butler: string): Promise<void> {
  const tables = await tableColumns(pool);
  for (const [table, columns] of Object.entries(CORE_TABLES)) {
    expect(tables[table], `${butler}: core table ${table}`).toBeDefined();
    expect(Object.keys(tables[table]).sort(), `${butler}.${table} columns`).toEqual(Object.keys(columns).sort());
    for (const [col, type] of Object.entries(columns)) {
      if (type !== '*') expect(tables[table][col], `${butler}.${table}.${col} type`).toBe(type);
    }
  }
}

/**
 * No table that another butler owns may exist here: owners are the butlers
 * the requirements name and every butler of the roster, by its migrations.
 */
export function foreignTables(butler: string, tables: string[], roster: RosterEntry[] = []): string[] {
  const foreign = new Set([
    ...Object.entries(BUTLER_TABLES).filter(([owner]) => owner !== butler).flatMap(([, t]) => Object.keys(t)),
    ...roster.filter((r) => r.name !== butler).flatMap((r) => Object.keys(declaredTables(r.dir))),
  ]);
  // A name this butler declares itself is its own, even when another butler of the roster uses it too.
  const self = roster.find((r) => r.name === butler);
  const own = new Set([...Object.keys(BUTLER_TABLES[butler] ?? {}), ...(self ? Object.keys(declaredTables(self.dir)) : [])]);
  return tables.filter((t) => foreign.has(t) && !own.has(t));
}

/**
 * The butler's own tables as its migrations declare them (read with
 * PostgreSQL's parser, staging/roster-declarations.ts): each exists with
 * exactly the declared columns, and nothing else is there beyond the core
 * tables and active module tables. A butler new to the roster gets this with
 * no test change.
 */
export async function checkOwnSchema(pool: pg.Pool, entry: Pick<RosterEntry, 'name' | 'dir'>, opts: { memoryActive: boolean; roster?: RosterEntry[] }): Promise<void> {
  await loadSqlParser();
  const declared = declaredTables(entry.dir);
  const tables = await tableColumns(pool);
  for (const [table, columns] of Object.entries(declared)) {
    expect(tables[table], `${entry.name}: table ${table} (declared by its migrations)`).toBeDefined();
    expect(Object.keys(tables[table]).sort(), `${entry.name}.${table} columns as its migrations declare them`).toEqual([...columns].sort());
  }
  const expected = new Set([...Object.keys(CORE_TABLES), ...Object.keys(declared), ...(opts.memoryActive ? Object.keys(MODULE_TABLES.memory) : [])]);
  expect(Object.keys(tables).filter((t) => !expected.has(t)).sort(), `${entry.name}: tables no migration of its own declares`).toEqual([]);
  expect(foreignTables(entry.name, Object.keys(tables), opts.roster), `${entry.name} holds another butler's tables`).toEqual([]);
}

/** Every tool the butler's `tools/` files define (read with TypeScript's parser) is listed over MCP. */
export async function checkOwnTools(client: McpHandle, entry: Pick<RosterEntry, 'name' | 'dir'>): Promise<void> {
  const files = declaredTools(entry.dir);
  for (const f of files) expect(f.unreadable, `${f.file}: a defineTool name the check cannot read (use a string literal)`).toBe(0);
  const listed = new Set((await client.listTools()).map((t) => t.name));
  const missing = files.flatMap((f) => f.names.filter((n) => !listed.has(n)).map((n) => `${n} (${f.file})`));
  expect(missing, `${entry.name}: tools its tools/ folder defines but MCP does not list`).toEqual([]);
}

export async function checkRegistryRow(
  switchboard: pg.Pool,
  b: { name: string; advertisedUrl: string; routable: boolean },
  window: { from: Date; to: Date },
): Promise<void> {
  const { rows } = await switchboard.query('select * from butler_registry where name = $1', [b.name]);
  expect(rows, `registry row for ${b.name}`).toHaveLength(1);
  const row = rows[0];
  expect(row.endpoint_url).toBe(b.advertisedUrl);
  expect(row.eligibility_state).toBe('active');
  expect(row.routable, `${b.name} routable`).toBe(b.routable);
  expect(row.route_contract_version).toBe('v1');
  const seen = new Date(row.last_seen_at).getTime();
  expect(seen, `${b.name} last_seen_at inside the boot window`).toBeGreaterThanOrEqual(window.from.getTime() - 1000);
  expect(seen).toBeLessThanOrEqual(window.to.getTime() + 1000);
}
