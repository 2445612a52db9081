import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from './gate.ts';
import { discoverRoster } from '../../staging/roster.ts';
import { checkCoreSchema, checkLiveness, checkRegistryRow } from './checks.ts';

const EXTRA = path.resolve('specs/smoke/fixtures/extra-butler');

test('SMK-08 an extra roster folder is discovered and passes the SMK-01/02/04 checks unchanged', async ({ ecosystem, sql }) => {
  test.skip(ecosystem.reused, 'needs an ecosystem this run owns (ad-hoc butlers, its own log); not available with E2E_REUSE=1');
  const copy = mkdtempSync(path.join(os.tmpdir(), 'butlers-roster-'));
  try {
    cpSync(path.dirname(ecosystem.roster[0].dir), copy, { recursive: true });
    cpSync(EXTRA, copy, { recursive: true });
    const discovered = discoverRoster(copy);
    const known = new Set(ecosystem.roster.map((r) => r.name));
    const extra = discovered.filter((d) => !known.has(d.name));
    expect(extra.map((e) => e.name)).toEqual(['almanac']);

    for (const entry of extra) {
      const started = new Date();
      const b = await ecosystem.launchAdHoc({ name: entry.name, rosterDir: entry.dir });
      try {
        await checkLiveness(b);
        await checkCoreSchema(b.sql, entry.name);
        await checkRegistryRow(sql('switchboard'), b, { from: started, to: new Date() });
      } finally {
        await b.dispose();
      }
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
