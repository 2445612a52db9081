import { test, expect } from './gate.ts';
import { checkRegistryRow } from './checks.ts';

test('SMK-04 the registry lists exactly the discovered butlers with their advertised URLs', async ({ ecosystem, sql }) => {
  const names = ecosystem.roster.map((r) => r.name).sort();
  const { rows } = await sql('switchboard').query<{ name: string }>('select name from butler_registry order by name');
  expect(rows.map((r) => r.name)).toEqual(names);
  for (const b of Object.values(ecosystem.butlers)) {
    await checkRegistryRow(sql('switchboard'), b, { from: ecosystem.bootStartedAt, to: ecosystem.bootedAt });
  }
  const unroutable = Object.values(ecosystem.butlers).filter((b) => !b.routable).map((b) => b.name).sort();
  expect(unroutable).toEqual(['heartbeat', 'switchboard']);
});
