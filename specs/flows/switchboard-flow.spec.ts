import { test, expect, buildEnvelope } from '../../fixtures/index.ts';

test('FLW-01 a weight message classifies to health without fallback', async ({ pipeline, model }) => {
  model.require();
  const c = await pipeline.classify('Log my weight: 80kg');
  expect(c.entries.map((e) => e.butler)).toContain('health');
  expect(c.fallback).toBe(false);
});

test('FLW-02 a compound message splits into self-contained health and relationship entries', async ({ pipeline, model }) => {
  model.require();
  const c = await pipeline.classify('I saw Dr. Smith today and got prescribed metformin. Remind me to send her a thank-you card.');
  const butlers = c.entries.map((e) => e.butler);
  expect(butlers).toContain('health');
  expect(butlers).toContain('relationship');
  const prompts = c.entries.map((e) => e.prompt);
  for (const p of prompts) expect(p.trim().length).toBeGreaterThan(0);
  expect(new Set(prompts).size, 'every prompt differs from the others').toBe(prompts.length);
  const rel = c.entries.filter((e) => e.butler === 'relationship');
  expect(rel.some((e) => /smith/i.test(e.prompt)), `relationship prompt names Smith: ${JSON.stringify(rel)}`).toBe(true);
  const health = c.entries.filter((e) => e.butler === 'health');
  expect(health.some((e) => /metformin|smith/i.test(e.prompt)), `health prompt is self-contained: ${JSON.stringify(health)}`).toBe(true);
  for (const e of c.entries) {
    expect(['sentence_spans', 'offsets', 'rationale'].some((k) => k in e.segment), `segment metadata of ${e.butler}`).toBe(true);
  }
});

test('FLW-03 ingesting the same envelope twice is a duplicate with the same request id', async ({ pipeline, sql, tag }) => {
  const envelope = buildEnvelope({ body: `dedupe probe ${tag}`, tag });
  const first = await pipeline.ingest(envelope);
  const second = await pipeline.ingest(envelope);
  expect(first).toMatchObject({ status: 'accepted', duplicate: false });
  expect(second).toEqual({ request_id: first.request_id, status: 'accepted', duplicate: true });
  const { rows } = await sql('switchboard').query(
    'select count(*)::int as n from message_inbox where idempotency_key = $1 and sender_identity = $2',
    [tag, envelope.source.sender_identity],
  );
  expect(rows[0].n).toBe(1);
});

test('FLW-04 classify then dispatch routes to health and logs the route for the request', async ({ pipeline, model, sql, tag }) => {
  model.require();
  const accepted = await pipeline.ingest(buildEnvelope({ body: 'Log my weight: 80kg', tag }));
  const c = await pipeline.classify('Log my weight: 80kg', { requestId: accepted.request_id });
  const d = await pipeline.dispatch(c.entries, { requestId: accepted.request_id });
  const { rows: routes } = await sql('switchboard').query(
    `select status from routing_log where request_id = $1 and target_butler = 'health'`,
    [accepted.request_id],
  );
  expect(routes.map((r) => r.status)).toContain('success');
  const healthOutcome = d.outcomes.find((o) => o.butler === 'health');
  const { rows: sessions } = await sql('health').query('select request_id::text, trigger_source from sessions where session_id = $1', [
    healthOutcome?.session_id,
  ]);
  expect(sessions).toEqual([{ request_id: accepted.request_id, trigger_source: 'external' }]);
});
