import { test, expect, buildEnvelope, results } from '../../fixtures/index.ts';

test('FLW-11 a heartbeat tick reaches every active butler through the switchboard', async ({ ecosystem, mcp, sql, model }) => {
  model.require();
  test.setTimeout(240_000);
  await sql('heartbeat').query(`update scheduled_tasks set due_at = now() - interval '1 minute' where name = 'heartbeat-cycle'`);
  const tick = await (await mcp('heartbeat')).call('tick', {}, results.TickResult, { timeoutMs: 230_000 });
  const run = tick.ran.find((r) => r.name === 'heartbeat-cycle');
  expect(run, JSON.stringify(tick)).toBeDefined();
  const expected = Object.keys(ecosystem.butlers).filter((b) => b !== 'heartbeat').sort();
  expect((run!.targets ?? []).map((t) => t.butler).sort()).toEqual(expected);
  for (const butler of expected) {
    const { rows } = await sql(butler).query(`select status, trigger_source from sessions where tag = $1`, [`hb:${run!.run_id}`]);
    expect(rows, `${butler} heartbeat session`).toEqual([{ status: 'completed', trigger_source: 'heartbeat' }]);
  }
});

test('FLW-12 a Telegram message travels ingest → classify → dispatch into health, evidenced in both databases', async ({
  pipeline,
  model,
  sql,
  tag,
  traceparent,
}) => {
  model.require();
  const envelope = buildEnvelope({
    body: 'Log my weight: 80kg',
    tag,
    channel: 'telegram',
    provider: 'telegram',
    endpointIdentity: 'bot_123',
    senderIdentity: 'user_456',
    sentAt: '2026-02-16T10:00:00Z',
  });
  const accepted = await pipeline.ingest(envelope);
  const c = await pipeline.classify(envelope.payload.body, { requestId: accepted.request_id });
  const d = await pipeline.dispatch(c.entries, { requestId: accepted.request_id });
  expect(d.aggregate.text.trim().length).toBeGreaterThan(0);

  const sb = sql('switchboard');
  const { rows: inbox } = await sb.query('select status from message_inbox where request_id = $1', [accepted.request_id]);
  expect(inbox).toEqual([{ status: 'completed' }]);
  const { rows: routes } = await sb.query(`select status from routing_log where request_id = $1 and target_butler = 'health'`, [accepted.request_id]);
  expect(routes.map((r) => r.status)).toContain('success');
  const { rows: fanout } = await sb.query(
    `select status, target_session_id::text from fanout_execution_log where request_id = $1 and butler = 'health'`,
    [accepted.request_id],
  );
  expect(fanout.length).toBeGreaterThan(0);
  expect(fanout[0].status).toBe('success');
  const sessionId = fanout[0].target_session_id;
  expect(sessionId).toBeTruthy();

  const { rows: sessions } = await sql('health').query('select trigger_source, duration_ms, trace_id from sessions where session_id = $1', [sessionId]);
  expect(sessions[0].trigger_source).toBe('external');
  expect(sessions[0].duration_ms).toBeGreaterThan(0);
  // The test's root trace travelled with the message: the switchboard stored it on the inbox row and
  // on the route to health, and the health session that did the work belongs to the same trace.
  const traceId = traceparent.split('-')[1];
  const { rows: inboxTrace } = await sb.query('select trace_id from message_inbox where request_id = $1', [accepted.request_id]);
  expect(inboxTrace).toEqual([{ trace_id: traceId }]);
  const { rows: routeTrace } = await sb.query(`select distinct trace_id from routing_log where request_id = $1 and target_butler = 'health'`, [accepted.request_id]);
  expect(routeTrace).toEqual([{ trace_id: traceId }]);
  expect(sessions[0].trace_id).toBe(traceId);
  const { rows: m } = await sql('health').query('select count(*)::int as n from measurements where session_id = $1', [sessionId]);
  expect(m[0].n).toBeGreaterThan(0);
});
