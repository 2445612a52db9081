import { test, expect, results } from './gate.ts';
import { discoverRoster, rosterDir } from '../../staging/roster.ts';
import { checkCoreSchema, foreignTables, tableColumns } from './checks.ts';
import { BUTLER_TABLES, CORE_TABLES, MODULE_TABLES } from './expected-schema.ts';

for (const entry of discoverRoster(rosterDir())) {
  test(`SMK-02 ${entry.name} database holds the core tables with their columns and types`, async ({ ecosystem }) => {
    test.skip(!ecosystem.butlers[entry.name], `${entry.name} did not boot (see SMK-01)`);
    await checkCoreSchema(ecosystem.admin(entry.name), entry.name);
  });

  test(`SMK-03 ${entry.name} database holds its own tables and no other butler's`, async ({ ecosystem }) => {
    const b = ecosystem.butlers[entry.name];
    test.skip(!b, `${entry.name} did not boot (see SMK-01)`);
    const tables = await tableColumns(ecosystem.admin(entry.name));
    const own = BUTLER_TABLES[entry.name] ?? {};
    for (const [table, columns] of Object.entries(own)) {
      expect(tables[table], `${entry.name}: table ${table}`).toBeDefined();
      expect(Object.keys(tables[table]).sort(), `${entry.name}.${table} columns`).toEqual([...columns].sort());
    }
    expect(foreignTables(entry.name, Object.keys(tables)), `${entry.name} holds another butler's tables`).toEqual([]);

    // memories exists exactly where the memory module is active.
    const status = await (await b.mcp()).call('status', {}, results.StatusResult);
    const memoryActive = status.modules.memory?.status === 'active';
    expect('memories' in tables, `${entry.name}: memories table iff memory is active`).toBe(memoryActive);
    if (memoryActive) expect(Object.keys(tables.memories).sort()).toEqual([...MODULE_TABLES.memory.memories].sort());

    if (entry.name in BUTLER_TABLES) {
      const expected = new Set([...Object.keys(CORE_TABLES), ...Object.keys(own), ...(memoryActive ? ['memories'] : [])]);
      expect(Object.keys(tables).filter((t) => !expected.has(t)), `${entry.name}: unexpected tables`).toEqual([]);
    }
  });
}
