import { test, expect, results } from './gate.ts';
import { discoverRoster, rosterDir } from '../../staging/roster.ts';
import { checkCoreSchema, checkOwnSchema, tableColumns } from './checks.ts';
import { BUTLER_TABLES, MODULE_TABLES } from './expected-schema.ts';

for (const entry of discoverRoster(rosterDir())) {
  test(`SMK-02 ${entry.name} database holds the core tables with their columns and types`, async ({ ecosystem }) => {
    test.skip(!ecosystem.butlers[entry.name], `${entry.name} did not boot (see SMK-01)`);
    await checkCoreSchema(ecosystem.admin(entry.name), entry.name);
  });

  test(`SMK-03 ${entry.name} database holds its own tables and no other butler's`, async ({ ecosystem }) => {
    const b = ecosystem.butlers[entry.name];
    test.skip(!b, `${entry.name} did not boot (see SMK-01)`);
    const status = await (await b.mcp()).call('status', {}, results.StatusResult);
    const memoryActive = status.modules.memory?.status === 'active';
    // What its own migrations declare (any butler, shipped or new), and nothing else but core and module tables.
    await checkOwnSchema(ecosystem.admin(entry.name), entry, { memoryActive, roster: ecosystem.roster });

    const tables = await tableColumns(ecosystem.admin(entry.name));
    // The six butlers the requirements describe: their tables as specified, too.
    for (const [table, columns] of Object.entries(BUTLER_TABLES[entry.name] ?? {})) {
      expect(tables[table], `${entry.name}: table ${table}`).toBeDefined();
      expect(Object.keys(tables[table]).sort(), `${entry.name}.${table} columns`).toEqual([...columns].sort());
    }
    // memories exists exactly where the memory module is active.
    expect('memories' in tables, `${entry.name}: memories table iff memory is active`).toBe(memoryActive);
    if (memoryActive) expect(Object.keys(tables.memories).sort()).toEqual([...MODULE_TABLES.memory.memories].sort());
  });
}
