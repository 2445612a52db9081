import { SpawnerResult } from '../../contracts/index.ts';
import { expect, test, type CollectedSpan } from '../../fixtures/index.ts';

const trigger = (client: { call: Function }, prompt: string, tag: string) =>
  client.call('trigger', { prompt, trigger_source: 'test', tag }, SpawnerResult, { timeoutMs: 60_000 }) as Promise<SpawnerResult>;

/** Tool spans below the session's spawner.session span (the session's own calls). */
function sessionToolSpans(spans: { tree(s?: CollectedSpan[]): any }, all: CollectedSpan[], sessionId: string): CollectedSpan[] {
  const tree = spans.tree(all);
  const session = all.find((s) => s.name === 'spawner.session' && s.attributes['session.id'] === sessionId);
  return session ? tree.descendants(session).filter((s: CollectedSpan) => s.name.startsWith('tool:')) : [];
}

test('OBS-04 a failing operator call is an ERROR tool span naming not_found', async ({ mcp, spans, tag }) => {
  await expect((await mcp('relationship')).call('interaction_log', { contact_name: `nobody-${tag}`, summary: 'lunch' })).rejects.toThrow('not_found');
  await spans.waitForNames({ 'tool:interaction_log': 1 });
  const [s] = spans.get({ name: 'tool:interaction_log' });
  expect(s.status).toBe('error');
  expect(String(s.attributes['error.message'])).toContain('not_found');
  expect(s.attributes['tool.result.status']).toBe('error');
  expect(s.service).toBe('butler-relationship');
});

test('OBS-06 the tool spans under a session match its tool_calls one for one', async ({ mcp, spans, model, tag }) => {
  model.require();
  const r = await trigger(await mcp('health'), 'Weight 80kg, blood pressure 120/80', tag);
  expect(r.success, r.error ?? '').toBe(true);
  const expected = r.tool_calls.map((c) => `tool:${c.name}`).sort();
  expect(expected.length).toBeGreaterThanOrEqual(2);
  const all = await spans.waitFor((s) => sessionToolSpans(spans, s, r.session_id!).length >= expected.length && s.some((x) => x.name === 'tool:trigger'), { what: 'the session tool spans' });
  expect(sessionToolSpans(spans, all, r.session_id!).map((s) => s.name).sort()).toEqual(expected);
});

test('OBS-07 a domain tool span carries name, butler, redacted args, status and duration', async ({ mcp, spans, model, tag }) => {
  model.require();
  const r = await trigger(await mcp('health'), 'Log weight 80kg', tag);
  expect(r.success, r.error ?? '').toBe(true);
  await spans.waitForNames({ 'tool:measurement_log': 1 });
  const [s] = spans.get({ name: 'tool:measurement_log' });
  expect(s.attributes['tool.name']).toBe('measurement_log');
  expect(s.attributes['tool.butler']).toBe('health');
  expect(s.attributes).not.toHaveProperty('tool.module');
  expect(JSON.parse(String(s.attributes['tool.args']))).toMatchObject({ type: 'weight' });
  expect(s.attributes['tool.result.status']).toBe('success');
  expect(Number(s.attributes['tool.duration_ms'])).toBeGreaterThanOrEqual(0);
  expect(s.kind).toBe('server');
  expect(s.status).not.toBe('error');
});

test('OBS-08 a forced failing call in a session is an ERROR span and an is_error entry; the session still completes', async ({ mcp, spans, model, tag }) => {
  model.requireDouble();
  await model.fault({ match: { butler: 'relationship', tag }, action: { type: 'tool_use', name: 'interaction_log', input: { contact_name: `ghost-${tag}`, summary: 'x' } } });
  const r = await trigger(await mcp('relationship'), `Note that I had lunch with ghost-${tag}`, tag);
  const entry = r.tool_calls.find((c) => c.name === 'interaction_log');
  expect(entry?.is_error).toBe(true);
  expect(r.success, r.error ?? '').toBe(true);
  const all = await spans.waitFor((s) => sessionToolSpans(spans, s, r.session_id!).some((x) => x.name === 'tool:interaction_log'));
  const span = sessionToolSpans(spans, all, r.session_id!).find((x) => x.name === 'tool:interaction_log')!;
  expect(span.status).toBe('error');
});

test('OBS-09 notification_log spans show the recipient as *** and channel and body in clear, for operator and session calls', async ({ mcp, spans, model, approver, sql, tag }) => {
  model.require();
  approver.approveByTag();
  const recipient = `${tag}@example.test`;
  const messenger = await mcp('messenger');
  await messenger.call('notification_log', { channel: 'telegram', recipient, body: `operator body ${tag}` });
  const r = await trigger(messenger, `Send a telegram notification to '${recipient}' saying the report ${tag} is ready`, tag);
  expect(r.success, r.error ?? '').toBe(true);
  const all = await spans.waitFor((s) => s.filter((x) => x.name === 'tool:notification_log').length >= 2, { what: 'two notification_log spans' });
  for (const s of all.filter((x) => x.name === 'tool:notification_log')) {
    const args = JSON.parse(String(s.attributes['tool.args']));
    expect(args.recipient).toBe('***');
    expect(args.channel).toBe('telegram');
    expect(String(args.body)).toContain(tag);
  }
  const { rows } = await sql('messenger').query(`select tool_calls from sessions where session_id = $1`, [r.session_id]);
  const entry = (rows[0].tool_calls as Array<{ name: string; arguments: Record<string, unknown> }>).find((c) => c.name === 'notification_log');
  expect(entry?.arguments.recipient).toBe('***');
});

test('OBS-17 tool_calls entries are complete and name measurement_log', async ({ mcp, model, sql, tag }) => {
  model.require();
  const r = await trigger(await mcp('health'), 'Log weight 80kg', tag);
  const { rows } = await sql('health').query(`select tool_calls from sessions where session_id = $1`, [r.session_id]);
  const calls = rows[0].tool_calls as Array<Record<string, unknown>>;
  expect(calls.map((c) => c.name)).toContain('measurement_log');
  for (const c of calls) expect(Object.keys(c).sort()).toEqual(expect.arrayContaining(['arguments', 'is_error', 'name', 'result']));
});

test('OBS-25 one llm.request span per API request, each with model and token attributes', async ({ mcp, spans, model, sql, tag }) => {
  model.requireDouble();
  const r = await trigger(await mcp('health'), 'Log weight 80kg', tag);
  const { rows } = await sql('health').query(`select api_requests, model from sessions where session_id = $1`, [r.session_id]);
  const n = rows[0].api_requests as number;
  expect(n).toBeGreaterThanOrEqual(1);
  const session = () => spans.get({ name: 'runtime.session', attributes: { 'session.id': r.session_id } })[0];
  const all = await spans.waitFor((s) => !!session() && s.filter((x) => x.name === 'llm.request' && x.parentSpanId === session()!.spanId).length >= n);
  const llm = all.filter((x) => x.name === 'llm.request' && x.parentSpanId === session()!.spanId);
  expect(llm).toHaveLength(n);
  for (const s of llm) {
    expect(s.attributes['llm.model']).toBe(rows[0].model);
    expect(typeof s.attributes['llm.input_tokens']).toBe('number');
    expect(typeof s.attributes['llm.output_tokens']).toBe('number');
  }
});
