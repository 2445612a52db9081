import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { BUTLER_TABLES, ROSTER_TOOLS } from '../specs/smoke/expected-schema.ts';
import { DEFAULT_ROSTER_DIR, discoverRoster } from './roster.ts';
import { declaredTables, declaredTools, loadSqlParser } from './roster-declarations.ts';

test.beforeAll(() => loadSqlParser());

test('the shipped butlers declare exactly the tables and tools the requirements list for them', () => {
  for (const entry of discoverRoster(DEFAULT_ROSTER_DIR)) {
    const tables = declaredTables(entry.dir);
    expect(Object.keys(tables).sort(), `${entry.name} tables`).toEqual(Object.keys(BUTLER_TABLES[entry.name] ?? {}).sort());
    for (const [t, cols] of Object.entries(BUTLER_TABLES[entry.name] ?? {})) expect([...tables[t]].sort(), `${entry.name}.${t}`).toEqual([...cols].sort());
    const tools = declaredTools(entry.dir);
    expect(tools.flatMap((f) => f.names).sort(), `${entry.name} tools`).toEqual([...(ROSTER_TOOLS[entry.name] ?? [])].sort());
    expect(tools.reduce((n, f) => n + f.unreadable, 0)).toBe(0);
  }
});

test('migrations are replayed in file order: add, drop and rename columns, rename and drop tables', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'decl-'));
  try {
    mkdirSync(path.join(dir, 'migrations'));
    writeFileSync(path.join(dir, 'migrations', '0001_a.sql'), 'CREATE TABLE a (id int primary key, x text, CONSTRAINT u UNIQUE (x));\nCREATE TABLE gone (id int);\nCREATE INDEX ON a (x);');
    writeFileSync(path.join(dir, 'migrations', '0002_b.sql'), "ALTER TABLE a ADD COLUMN y int, DROP COLUMN x;\nALTER TABLE a RENAME COLUMN y TO z;\nDROP TABLE IF EXISTS gone;\nCREATE TABLE IF NOT EXISTS a (other int);\nALTER TABLE a RENAME TO b;\nINSERT INTO b (id) VALUES (1);");
    expect(declaredTables(dir)).toEqual({ b: ['id', 'z'] });
    writeFileSync(path.join(dir, 'migrations', '0003_bad.sql'), 'CREATE TABLEE oops (id int);');
    expect(() => declaredTables(dir)).toThrow(/0003_bad\.sql does not parse as PostgreSQL/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tool names are read from defineTool calls; a computed name is counted as unreadable, test files are skipped', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'decl-'));
  try {
    mkdirSync(path.join(dir, 'tools'));
    writeFileSync(path.join(dir, 'tools', 'a.ts'), "import { defineTool } from '@butlers/framework';\nexport default [defineTool({ name: 'a_one', description: 'x', input: {}, handler: async () => ({}) }), defineTool({ name: `a_two`, description: 'y', input: {}, handler: async () => ({}) })];");
    writeFileSync(path.join(dir, 'tools', 'b.ts'), "const n = 'b';\nexport default defineTool({ name: n + '_x', description: 'x', input: {}, handler: async () => ({}) });");
    writeFileSync(path.join(dir, 'tools', 'a.test.ts'), "defineTool({ name: 'not_me' });");
    expect(declaredTools(dir).map((f) => [path.basename(f.file), f.names, f.unreadable])).toEqual([
      ['a.ts', ['a_one', 'a_two'], 0],
      ['b.ts', [], 1],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
