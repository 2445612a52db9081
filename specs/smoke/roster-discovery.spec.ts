import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect, results } from './gate.ts';
import { discoverRoster } from '../../staging/roster.ts';
import { checkCoreSchema, checkLiveness, checkOwnSchema, checkOwnTools, checkRegistryRow } from './checks.ts';

const EXTRA = path.resolve('specs/smoke/fixtures/extra-butler');

test('SMK-08 a roster folder outside the checkout boots: an extra tool-bearing butler and a shipped one pass the same checks unchanged', async ({ ecosystem, sql, tag }) => {
  test.skip(ecosystem.reused, 'needs an ecosystem this run owns (ad-hoc butlers, its own log); not available with E2E_REUSE=1');
  // Outside the checkout: the tools can reach the framework only by its package name.
  const copy = mkdtempSync(path.join(os.tmpdir(), 'butlers-roster-'));
  try {
    cpSync(path.dirname(ecosystem.roster[0].dir), copy, { recursive: true });
    cpSync(EXTRA, copy, { recursive: true });
    const discovered = discoverRoster(copy);
    const known = new Set(ecosystem.roster.map((r) => r.name));
    const extra = discovered.filter((d) => !known.has(d.name));
    // almanac is extra unless the run's own roster (E2E_ROSTER_DIR) already holds it: then SMK-01…06 cover it.
    expect(extra.map((e) => e.name)).toEqual(known.has('almanac') ? [] : ['almanac']);

    // The new butler, and health as shipped (its tools import @butlers/framework), both from the copy.
    for (const entry of [...extra, discovered.find((d) => d.name === 'health')!]) {
      const started = new Date();
      const b = await ecosystem.launchAdHoc({ name: entry.name, rosterDir: entry.dir, register: entry.name !== 'health' });
      try {
        await checkLiveness(b);
        await checkCoreSchema(b.sql, entry.name);
        const client = await b.mcp();
        const status = await client.call('status', {}, results.StatusResult);
        await checkOwnSchema(b.sql, entry, { memoryActive: status.modules.memory?.status === 'active', roster: discovered });
        await checkOwnTools(client, entry);
        if (entry.name !== 'health') await checkRegistryRow(sql('switchboard'), b, { from: started, to: new Date() });
        if (entry.name === 'almanac') {
          // The extra butler's own tool, compiled from outside the checkout, writes its own table.
          const out = await client.callTool('almanac_entry_add', { day: '2026-03-03', note: `smoke ${tag}` });
          expect(out.isError, out.text).toBe(false);
          const { rows } = await b.sql.query(`select to_char(day, 'YYYY-MM-DD') as day, note from almanac_entries where note = $1`, [`smoke ${tag}`]);
          expect(rows).toEqual([{ day: '2026-03-03', note: `smoke ${tag}` }]);
        }
      } finally {
        await b.dispose();
      }
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test('SMK-08 a butler whose tools import what cannot be resolved fails alone, naming the file, the import and the fix', async ({ ecosystem }) => {
  test.skip(ecosystem.reused, 'needs an ecosystem this run owns (ad-hoc butlers); not available with E2E_REUSE=1');
  const copy = mkdtempSync(path.join(os.tmpdir(), 'butlers-roster-'));
  const pids = Object.values(ecosystem.butlers).map((b) => b.pid);
  try {
    cpSync(EXTRA, copy, { recursive: true });
    const dir = path.join(copy, 'almanac');
    const cases: [string, string, RegExp][] = [
      // The old way of importing the framework, from a folder outside the checkout.
      ['relative.ts', "import { defineTool } from '../../../ecosystem/core/tool.ts';", /import the ecosystem as "@butlers\/framework"/],
      // A package the harness does not have.
      ['package.ts', "import { defineTool } from 'butlers-no-such-package';", /install "butlers-no-such-package" next to the harness/],
    ];
    for (const [file, importLine, fix] of cases) {
      rmSync(path.join(dir, 'tools'), { recursive: true, force: true });
      mkdirSync(path.join(dir, 'tools'));
      writeFileSync(path.join(dir, 'tools', file), `${importLine}\nexport default defineTool({ name: 'x_y', description: 'x', input: {}, handler: async () => ({}) });\n`);
      const err = await ecosystem.launchAdHoc({ name: 'almanac', rosterDir: dir, register: false, readinessTimeoutMs: 60_000 }).then(
        async (b) => {
          await b.dispose();
          return null;
        },
        (e: Error) => e,
      );
      expect(err, `${file}: the launch fails`).not.toBeNull();
      expect(err!.message).toContain('cannot compile the roster tools of');
      expect(err!.message).toMatch(/startup failed \(server\)/);
      expect(err!.message, 'names the file').toContain(path.join(dir, 'tools', file));
      expect(err!.message, 'names the import').toContain(importLine.split("'")[1]);
      expect(err!.message, 'says how to fix it').toMatch(fix);
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  expect(Object.values(ecosystem.butlers).map((b) => b.pid), 'the six butlers were not touched').toEqual(pids);
  for (const b of Object.values(ecosystem.butlers)) await checkLiveness(b);
});
