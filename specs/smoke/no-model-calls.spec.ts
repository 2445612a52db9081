import { test, expect } from '../../fixtures/index.ts';

// Runs last in the smoke project's worker (files run in name order): the gate never calls a model.
test('SMK-09 the smoke project produced no model requests and no session rows', async ({ ecosystem }) => {
  if (ecosystem.double) expect(ecosystem.double.requests(), 'model double request log').toEqual([]);
  for (const name of Object.keys(ecosystem.butlers)) {
    // Since this worker started using the ecosystem (with E2E_REUSE, other runs may have used it before).
    const { rows } = await ecosystem.admin(name).query<{ n: number }>('select count(*)::int as n from sessions where created_at >= $1', [ecosystem.attachedAt]);
    expect(rows[0].n, `${name} sessions`).toBe(0);
  }
});
