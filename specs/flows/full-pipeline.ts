import type { DbAssertion } from '../../contracts/index.ts';
import { expect, test, type DispatchResult } from '../../fixtures/index.ts';
import type { Ecosystem } from '../../fixtures/index.ts';
import { checkAssertion } from '../../fixtures/db-assertions.ts';

export interface FullExpectations {
  expectedButlers: string[];
  expectedToolCalls: string[];
  dbAssertions: DbAssertion[];
}

/**
 * Runner checks 3–7 of a full pipeline (docs/extending.md, "A scenario"), each a
 * test.step, all selected by the ids this test obtained itself.
 */
export async function judgeDispatch(eco: Ecosystem, requestId: string, dispatch: DispatchResult, want: FullExpectations): Promise<void> {
  const targets: Record<string, string[]> = {};
  await test.step('dispatch outcomes', async () => {
    for (const butler of want.expectedButlers) {
      const outs = dispatch.outcomes.filter((o) => o.butler === butler);
      expect(outs.length, `an outcome for ${butler}`).toBeGreaterThan(0);
      for (const o of outs) {
        expect(o.status, `${butler} outcome: ${o.error ?? ''}`).toBe('success');
        expect(o.session_id, `${butler} outcome carries the target session id`).toBeTruthy();
        (targets[butler] ??= []).push(o.session_id!);
      }
    }
  });

  await test.step('target sessions', async () => {
    for (const [butler, ids] of Object.entries(targets)) {
      const { rows } = await eco.admin(butler).query(
        'select session_id::text, trigger_source, status, request_id::text, tool_calls, error from sessions where session_id = any($1::uuid[])',
        [ids],
      );
      expect(rows.length, `${butler} session rows`).toBe(ids.length);
      for (const r of rows) {
        expect({ trigger_source: r.trigger_source, status: r.status, request_id: r.request_id }, `${butler} session ${r.session_id}: ${r.error ?? ''}`).toEqual({
          trigger_source: 'external',
          status: 'completed',
          request_id: requestId,
        });
      }
    }
  });

  await test.step('tool calls', async () => {
    const called = new Set<string>();
    for (const [butler, ids] of Object.entries(targets)) {
      const { rows } = await eco.admin(butler).query('select tool_calls from sessions where session_id = any($1::uuid[])', [ids]);
      for (const r of rows) for (const c of r.tool_calls as { name: string }[]) called.add(c.name);
    }
    for (const t of want.expectedToolCalls) expect([...called], `tool ${t} called by a target session`).toContain(t);
  });

  await test.step('database rows', async () => {
    for (const a of want.dbAssertions) {
      const res = await checkAssertion(eco.admin(a.butler), a, targets[a.butler] ?? []);
      expect(res.ok, res.message).toBe(true);
    }
  });

  await test.step('routing log', async () => {
    for (const butler of want.expectedButlers) {
      const { rows } = await eco.admin('switchboard').query(
        `select count(*)::int as n from routing_log where request_id = $1 and target_butler = $2 and status = 'success'`,
        [requestId, butler],
      );
      expect(rows[0].n, `routing_log success rows for ${butler}`).toBeGreaterThan(0);
    }
  });
}
