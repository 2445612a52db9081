import { SpawnerResult } from '../../contracts/index.ts';
import { test, expect } from '../../fixtures/index.ts';

test('FLW-09 a trigger on relationship adds the contact for its session', async ({ mcp, sql, model, tag }) => {
  model.require();
  const r = await (await mcp('relationship')).call('trigger', {
    prompt: 'Add Sarah Johnson as a contact',
    trigger_source: 'test',
    tag,
  }, SpawnerResult);
  expect(r.success, r.error ?? '').toBe(true);
  const { rows: s } = await sql('relationship').query('select status, tag from sessions where session_id = $1', [r.session_id]);
  expect(s).toEqual([{ status: 'completed', tag }]);
  const { rows } = await sql('relationship').query(`select name from contacts where session_id = $1 and name ilike '%Sarah%'`, [r.session_id]);
  expect(rows.length).toBeGreaterThan(0);
});

test('FLW-10 the full pipeline adds a contact from the routed relationship session', async ({ pipeline, model, sql }) => {
  model.require();
  const { requestId, dispatch } = await pipeline.run('Add Sarah Johnson as a new contact');
  const { rows: routes } = await sql('switchboard').query(
    `select count(*)::int as n from routing_log where request_id = $1 and target_butler = 'relationship' and status = 'success'`,
    [requestId],
  );
  expect(routes[0].n).toBeGreaterThan(0);
  const session = dispatch.outcomes.find((o) => o.butler === 'relationship')?.session_id;
  expect(session, JSON.stringify(dispatch.outcomes)).toBeTruthy();
  const { rows } = await sql('relationship').query(`select name from contacts where session_id = $1 and name ilike '%Sarah%'`, [session]);
  expect(rows.length).toBeGreaterThan(0);
});
