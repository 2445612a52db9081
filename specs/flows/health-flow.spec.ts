import { SpawnerResult } from '../../contracts/index.ts';
import { test, expect, buildEnvelope } from '../../fixtures/index.ts';
import { judgeDispatch } from './full-pipeline.ts';

test('FLW-06 a test trigger on health logs a tagged session and a weight row', async ({ mcp, sql, model, tag }) => {
  model.require();
  const r = await (await mcp('health')).call('trigger', { prompt: 'Log weight 80kg', trigger_source: 'test', tag }, SpawnerResult);
  expect(r.success, r.error ?? '').toBe(true);
  const { rows: s } = await sql('health').query('select status, tag, trigger_source from sessions where session_id = $1', [r.session_id]);
  expect(s).toEqual([{ status: 'completed', tag, trigger_source: 'test' }]);
  const { rows } = await sql('health').query(`select count(*)::int as n from measurements where session_id = $1 and type ilike '%weight%'`, [r.session_id]);
  expect(rows[0].n).toBeGreaterThan(0);
});

test('FLW-07 the full pipeline for a weight message passes every runner check', async ({ ecosystem, pipeline, model, logs, tag }) => {
  model.require();
  const accepted = await pipeline.ingest(buildEnvelope({ body: 'Log my weight: 80kg', tag }));
  expect(accepted.duplicate).toBe(false);
  const c = await pipeline.classify('Log my weight: 80kg', { requestId: accepted.request_id });
  expect(c.entries.map((e) => e.butler)).toContain('health');
  const d = await pipeline.dispatch(c.entries, { requestId: accepted.request_id });
  await judgeDispatch(ecosystem, accepted.request_id, d, {
    expectedButlers: ['health'],
    expectedToolCalls: ['measurement_log'],
    dbAssertions: [{ butler: 'health', table: 'measurements', where: { type: 'weight' }, columnChecks: { value: { between: [75, 85] } } }],
  });
  logs.expectNoUnexpectedErrors();
});

test('FLW-08 one trigger with two measurements writes both rows for the session', async ({ mcp, sql, model, tag }) => {
  model.require();
  const r = await (await mcp('health')).call('trigger', { prompt: 'Weight 80kg, blood pressure 120/80', trigger_source: 'test', tag }, SpawnerResult);
  expect(r.success, r.error ?? '').toBe(true);
  const { rows } = await sql('health').query('select type from measurements where session_id = $1', [r.session_id]);
  const types = rows.map((x) => String(x.type).toLowerCase());
  expect(types.some((t) => t.includes('weight')), `types ${types}`).toBe(true);
  expect(types.some((t) => t.includes('pressure') || t.includes('bp')), `types ${types}`).toBe(true);
});
