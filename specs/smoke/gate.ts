import type { Ecosystem } from '../../fixtures/index.ts';
import { test as base } from '../../fixtures/index.ts';

export { expect, results } from '../../fixtures/index.ts';

/** Model requests in the double's log, and session rows created since `since`, across every butler of the ecosystem. */
export async function modelActivity(ecosystem: Ecosystem, since: Date): Promise<{ requests: number; sessions: Record<string, number> }> {
  const sessions: Record<string, number> = {};
  for (const name of Object.keys(ecosystem.butlers)) {
    const { rows } = await ecosystem.admin(name).query<{ n: number }>('select count(*)::int as n from sessions where created_at >= $1', [since]);
    if (rows[0].n > 0) sessions[name] = rows[0].n;
  }
  return { requests: ecosystem.double?.requests().length ?? 0, sessions };
}

/**
 * The smoke project's `test`: every smoke test is wrapped by a guard that
 * fails it when a model was called while it ran (a request in the model
 * double's log, or, in live mode, a new session row). So "the gate makes no
 * model call" (SMK-09) holds test by test, whatever order the files run in.
 */
export const test = base.extend<{ noModelCalls: void }>({
  noModelCalls: [
    async ({ ecosystem }, use) => {
      const since = new Date();
      const before = ecosystem.double?.requests().length ?? 0;
      await use();
      const after = await modelActivity(ecosystem, since);
      const requests = after.requests - before;
      if (requests > 0 || Object.keys(after.sessions).length > 0) {
        throw new Error(
          `SMK-09: this smoke test called a model (${requests} model request(s); new session rows: ${JSON.stringify(after.sessions)}); ` +
            'the smoke gate must not: move the test to a domain project (e.g. flows)',
        );
      }
    },
    { auto: true, box: true },
  ],
});
