import { test, expect } from './gate.ts';
import { discoverRoster, rosterDir } from '../../staging/roster.ts';
import { checkLiveness } from './checks.ts';

// One test per roster folder: a new butler joins the smoke gate with no test change.
for (const entry of discoverRoster(rosterDir())) {
  test(`SMK-01 ${entry.name} answers on /healthz, /mcp and /sse`, async ({ ecosystem }) => {
    const failure = ecosystem.failed.find((f) => f.butler === entry.name);
    expect(failure?.message, `${entry.name} failed to boot`).toBeUndefined();
    const b = ecosystem.butlers[entry.name];
    expect(b, `${entry.name} has a handle`).toBeDefined();
    await checkLiveness(b);
  });
}
