import { test, expect } from './gate.ts';
import { checkRegistryRow } from './checks.ts';

test('SMK-04 the registry lists exactly the discovered butlers with their advertised URLs', async ({ ecosystem, sql }) => {
  const names = ecosystem.roster.map((r) => r.name).sort();
  const { rows } = await sql('switchboard').query<{ name: string }>('select name from butler_registry order by name');
  expect(rows.map((r) => r.name)).toEqual(names);
  for (const b of Object.values(ecosystem.butlers)) {
    await checkRegistryRow(sql('switchboard'), b, { from: ecosystem.bootStartedAt, to: ecosystem.bootedAt });
  }
  // routable as each butler.toml declares it (checkRegistryRow compares every row with its handle's flag);
  // the registry's unroutable set is exactly the folders that say routable = false.
  const declaredUnroutable = ecosystem.roster.filter((r) => !r.routable).map((r) => r.name).sort();
  const { rows: unroutable } = await sql('switchboard').query<{ name: string }>('select name from butler_registry where not routable order by name');
  expect(unroutable.map((r) => r.name)).toEqual(declaredUnroutable);
});
