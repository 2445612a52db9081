import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect, results } from './gate.ts';
import { discoverRoster } from '../../staging/roster.ts';
import { checkCoreSchema, checkLiveness, checkOwnSchema, checkOwnTools } from './checks.ts';

// The generality check's butlers (npm run generality): written as a user outside this repository would.
const EXAMPLES = path.resolve('examples/rosters');

/** One direct tool call per example butler, and the row it must leave (selected by the test's tag). */
const WRITES: Record<string, { tool: string; args: (tag: string) => Record<string, unknown>; select: string; want: Record<string, unknown> }> = {
  garden: {
    tool: 'harvest_log',
    args: (tag) => ({ crop: 'tomatoes', quantity: 1.5, unit: 'kg', harvested_on: '2026-08-03', notes: `smoke ${tag}` }),
    select: `select crop, quantity::float8 as quantity, unit, harvested_on::text as harvested_on from harvests where notes = $1`,
    want: { crop: 'tomatoes', quantity: 1.5, unit: 'kg', harvested_on: '2026-08-03' },
  },
  home: {
    tool: 'repair_log',
    args: (tag) => ({ item: 'kitchen tap', kind: 'repair', contractor: 'plumber', cost: 85, currency: 'eur', done_on: '2026-03-03', notes: `smoke ${tag}` }),
    select: `select item, kind, contractor, cost::float8 as cost, currency, done_on::text as done_on from repairs where notes = $1`,
    want: { item: 'kitchen tap', kind: 'repair', contractor: 'plumber', cost: 85, currency: 'EUR', done_on: '2026-03-03' },
  },
};

test('SMK-08 example butlers boot from outside the checkout: examples/rosters/* pass the same checks as a roster butler, and one tool call each writes its row', async ({ ecosystem, tag }) => {
  test.skip(ecosystem.reused, 'needs an ecosystem this run owns (ad-hoc butlers); not available with E2E_REUSE=1');
  const names = readdirSync(EXAMPLES).sort();
  expect(names.length, 'examples/rosters holds at least two butlers').toBeGreaterThanOrEqual(2);
  // A copy of the shipped roster plus the examples, outside the checkout: tools reach the framework only by its package name.
  const copy = mkdtempSync(path.join(os.tmpdir(), 'butlers-examples-'));
  try {
    cpSync(path.dirname(ecosystem.roster[0].dir), copy, { recursive: true });
    cpSync(EXAMPLES, copy, { recursive: true });
    const discovered = discoverRoster(copy);
    for (const name of names) {
      const entry = discovered.find((d) => d.name === name);
      expect(entry, `${name} is discovered in the copy`).toBeDefined();
      expect(entry!.problem, `${name}/butler.toml`).toBeUndefined();
      const write = WRITES[name];
      expect(write, `${name}: add its direct tool call to WRITES in specs/smoke/examples.spec.ts`).toBeDefined();
      // Not registered: the examples are measured by npm run generality, never routed to from the shared ecosystem.
      const b = await ecosystem.launchAdHoc({ name, rosterDir: entry!.dir, register: false });
      try {
        await checkLiveness(b);
        await checkCoreSchema(b.sql, name);
        const client = await b.mcp();
        const status = await client.call('status', {}, results.StatusResult);
        await checkOwnSchema(b.sql, entry!, { memoryActive: status.modules.memory?.status === 'active', roster: discovered });
        await checkOwnTools(client, entry!);
        const out = await client.callTool(write.tool, write.args(tag));
        expect(out.isError, `${name}.${write.tool}: ${out.text}`).toBe(false);
        const { rows } = await b.sql.query(write.select, [`smoke ${tag}`]);
        expect(rows, `${name}.${write.tool} wrote exactly its row`).toEqual([write.want]);
      } finally {
        await b.dispose();
      }
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
