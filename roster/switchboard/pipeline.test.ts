import { createHash } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { ClassifyResult } from '../../contracts/classification.ts';
import { DispatchResult } from '../../contracts/fanout-plan.ts';
import { fakeSpawner, fakeTrigger, overlayDir, settle, spawnerResult, startSwitchboard, startTarget, until, type SpawnCall, type TestDaemon } from '../../ecosystem/testing/router-kit.ts';
import { startThrowawayCluster, type ThrowawayCluster } from '../../staging/testing/throwaway-cluster.ts';
import { testPort } from '../../staging/ports.ts';

// Ports 8620-8629 (at the default E2E_PORT_BASE; testPort moves them) are this file's block; 8629 is never bound (a dead endpoint).
const SB = testPort(8620);
const DEAD = testPort(8629);
const TARGETS = { health: testPort(8621), relationship: testPort(8622), general: testPort(8623) } as const;
type Target = keyof typeof TARGETS;

let cluster: ThrowawayCluster;
let dir: ReturnType<typeof overlayDir>;
let sb: TestDaemon;
const targets = {} as Record<Target, TestDaemon>;
const triggers = { health: fakeTrigger(), relationship: fakeTrigger(), general: fakeTrigger() };
const spawner = fakeSpawner();

test.beforeAll(async () => {
  cluster = await startThrowawayCluster();
  dir = overlayDir();
  sb = await startSwitchboard({
    cluster, dir: dir.dir, port: SB, dbName: 'pl_switchboard', spawner: spawner.extension,
    overlay: '[switchboard]\nquarantine_after_failures = 50\nsynthesis = true\n',
  });
  for (const name of Object.keys(TARGETS) as Target[]) {
    targets[name] = await startTarget({ cluster, dir: dir.dir, butler: name, port: TARGETS[name], dbName: `pl_${name}`, switchboardUrl: sb.daemon.endpointUrl, trigger: triggers[name].extension });
  }
  await until(async () => (await sb.db.query(`SELECT count(*)::int AS n FROM butler_registry`)).rows[0].n === 4, 15_000, 'all registered');
  await sb.call('registry_register', { name: 'ghost', endpoint_url: `http://127.0.0.1:${DEAD}/mcp`, description: 'Never answers.', capabilities: ['ghosts'] });
});

test.afterAll(async () => {
  for (const t of Object.values(targets)) await t?.close();
  await sb?.close();
  await settle();
  await cluster?.stop();
  dir?.remove();
});

const envelope = (over: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) => ({
  schema_version: 'ingest.v1',
  source: { channel: 'telegram', provider: 'telegram', endpoint_identity: 'bot_123', sender_identity: 'user_456' },
  payload: { content_type: 'text/plain', body: 'Log my weight: 80kg', sent_at: '2026-02-16T10:00:00Z', ...payload },
  ...over,
});
const inboxCount = async () => (await sb.db.query('SELECT count(*)::int AS n FROM message_inbox')).rows[0].n as number;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const entry = (butler: string, prompt: string) => ({ butler, prompt, segment: { rationale: butler } });
const fanoutRows = (dispatchId: string) => sb.db.query('SELECT * FROM fanout_execution_log WHERE dispatch_id = $1 ORDER BY subrequest_id', [dispatchId]).then((r) => r.rows);
const byKind = (kind: string) => spawner.state.calls.filter((c) => c.kind === kind);

test('ingest refuses invalid envelopes with contract issue codes and writes nothing', async () => {
  const before = await inboxCount();
  const cases: Array<[unknown, string, string]> = [
    [envelope({ schema_version: 'ingest.v2' }), 'schema_version', 'unsupported_schema_version'],
    [envelope({ source: { channel: 'telegram', provider: 'gmail', endpoint_identity: 'b', sender_identity: 'u' } }), 'source.provider', 'invalid_source_provider'],
    [envelope({}, { sent_at: '2026-02-16T10:00:00' }), 'payload.sent_at', 'rfc3339_string_required'],
    [envelope({ source: undefined }), 'source', 'required'],
    [envelope({ unknown_field: 'value' }), 'unknown_field', 'unrecognized_keys'],
    [envelope({}, { content_type: '' }), 'payload.content_type', 'too_small'],
  ];
  for (const [env, path, code] of cases) {
    const r = await sb.call('ingest', { envelope: env });
    expect(r.isError, code).toBe(true);
    expect(r.sc.error).toBe('validation_error');
    expect(r.sc.details.issues).toContainEqual(expect.objectContaining({ path, code, message: expect.any(String) }));
  }
  expect(await inboxCount()).toBe(before);
});

test('ingest stores every field, dedupes by key, and falls back to sent_at + body hash without one', async () => {
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const env = envelope({ idempotency_key: 'pl-key-1', routing_hints: { preferred_butlers: ['health'] }, metadata: { anything: { goes: 1 } } });
  const first = await sb.call('ingest', { envelope: env }, { traceparent });
  expect(first.sc).toEqual({ request_id: expect.any(String), status: 'accepted', duplicate: false });
  const again = await sb.call('ingest', { envelope: envelope({ idempotency_key: 'pl-key-1' }, { body: 'different body' }) });
  expect(again.sc).toEqual({ request_id: first.sc.request_id, status: 'accepted', duplicate: true });
  const otherSender = await sb.call('ingest', { envelope: { ...env, source: { ...env.source, sender_identity: 'user_789' } } });
  expect(otherSender.sc.duplicate).toBe(false);
  const row = (await sb.db.query('SELECT * FROM message_inbox WHERE request_id = $1', [first.sc.request_id])).rows[0];
  expect(row).toMatchObject({
    dedupe_key: sha('bot_123:user_456:pl-key-1'), schema_version: 'ingest.v1', source_channel: 'telegram', source_provider: 'telegram',
    endpoint_identity: 'bot_123', sender_identity: 'user_456', content_type: 'text/plain', body: 'Log my weight: 80kg', idempotency_key: 'pl-key-1',
    routing_hints: { preferred_butlers: ['health'] }, metadata: { anything: { goes: 1 } }, status: 'accepted', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  });
  expect(row.sent_at.toISOString()).toBe('2026-02-16T10:00:00.000Z');
  expect(sb.lines.filter((l) => l.event === 'ingest.accepted' && l.request_id === first.sc.request_id).map((l) => [l.level, l.duplicate])).toEqual([[30, false], [30, true]]);

  const noKey = envelope({}, { body: 'no key here' });
  const a = await sb.call('ingest', { envelope: noKey });
  const b = await sb.call('ingest', { envelope: noKey });
  const c = await sb.call('ingest', { envelope: envelope({}, { body: 'no key here', sent_at: '2026-02-16T10:00:01Z' }) });
  expect([a.sc.duplicate, b.sc.duplicate, c.sc.duplicate]).toEqual([false, true, false]);
  expect(b.sc.request_id).toBe(a.sc.request_id);
  const stored = (await sb.db.query('SELECT dedupe_key FROM message_inbox WHERE request_id = $1', [a.sc.request_id])).rows[0].dedupe_key;
  expect(stored).toBe(sha(`bot_123:user_456:2026-02-16T10:00:00Z|${sha('no key here')}`));
});

test('classify composes the prompt from eligible routable entries and hints, runs one session, marks the inbox', async () => {
  const { sc: accepted } = await sb.call('ingest', { envelope: envelope({ idempotency_key: 'pl-classify', routing_hints: { preferred_butlers: ['health'] } }) });
  spawner.state.reply = () => spawnerResult({ output: '```json\n[{"butler":"health","prompt":"Log weight 80 kg","segment":{"offsets":{"start":0,"end":19}},"confidence":0.9}]\n```' });
  const r = await sb.call('classify', { text: 'Log my weight: 80kg', request_id: accepted.request_id, tag: 'pl-cls', timeout_ms: 5000 });
  expect(r.isError).toBe(false);
  const result = ClassifyResult.parse(r.sc);
  expect(result).toEqual({ entries: [{ butler: 'health', prompt: 'Log weight 80 kg', segment: { offsets: { start: 0, end: 19 } } }], fallback: false, warnings: [], session_id: expect.any(String) });
  expect(r.sc.entries[0]).not.toHaveProperty('confidence');
  const call = byKind('classification').at(-1)!;
  expect(call).toMatchObject({ kind: 'classification', triggerSource: 'external', requestId: accepted.request_id, tag: 'pl-cls', timeoutMs: 5000 });
  const registry = JSON.parse(/<registry>\n([\s\S]*?)\n<\/registry>/.exec(call.prompt)![1]) as Array<{ name: string; capabilities: string[] }>;
  expect(registry.map((e) => e.name)).toEqual(['general', 'ghost', 'health', 'relationship']);
  expect(registry.find((e) => e.name === 'health')!.capabilities).toContain('blood pressure');
  expect(call.prompt).toContain('<message>\nLog my weight: 80kg\n</message>');
  expect(call.prompt).toContain('the sender would prefer health');
  expect((await sb.db.query('SELECT status FROM message_inbox WHERE request_id = $1', [accepted.request_id])).rows[0].status).toBe('classified');
  expect(sb.lines.find((l) => l.event === 'classify.prompt' && l.tag === 'pl-cls')).toMatchObject({ level: 20, prompt: call.prompt });
  expect(sb.lines.find((l) => l.event === 'classify.response' && l.tag === 'pl-cls')).toMatchObject({ level: 20, raw: expect.stringContaining('"confidence":0.9') });
  expect(sb.lines.find((l) => l.event === 'classify.result' && l.tag === 'pl-cls')).toMatchObject({ level: 30, butlers: ['health'], count: 1, fallback: false });
});

test('classify falls back to general with the original text for every failure reason', async () => {
  const text = 'Sure!  Keep   this text exactly.';
  const cases: Array<[string, (req: SpawnCall) => ReturnType<typeof spawner.state.reply>]> = [
    ['parse_error', () => spawnerResult({ output: 'Sure! I think this is about health.' })],
    ['empty', () => spawnerResult({ output: '[]' })],
    ['no_valid_entries', () => spawnerResult({ output: '[{"butler":"nonexistent","prompt":"x","segment":{}}]' })],
    ['llm_error', () => spawnerResult({ success: false, output: null, error: 'api_error: status 500' })],
    ['timeout', () => spawnerResult({ success: false, output: null, error: 'timeout' })],
    ['llm_error', () => Promise.reject(new Error('spawner exploded'))],
  ];
  for (const [reason, reply] of cases) {
    spawner.state.reply = reply;
    const r = await sb.call('classify', { text, tag: `pl-fb-${reason}` });
    expect(r.isError, reason).toBe(false);
    expect(r.sc, reason).toMatchObject({ entries: [{ butler: 'general', prompt: text, segment: { rationale: `fallback: ${reason}` } }], fallback: true, fallback_reason: reason });
    expect(sb.lines.filter((l) => l.event === 'classify.fallback' && l.tag === `pl-fb-${reason}`).every((l) => l.level === 40 && l.reason === reason)).toBe(true);
  }
});

test('a quarantined butler is hidden from the prompt and its entries are skipped', async () => {
  await sb.db.query(`UPDATE butler_registry SET eligibility_state = 'quarantined' WHERE name = 'health'`);
  try {
    spawner.state.reply = () => spawnerResult({ output: '[{"butler":"health","prompt":"Log weight 80 kg","segment":{"rationale":"weight"}}]' });
    const r = await sb.call('classify', { text: 'Log my weight: 80kg', tag: 'pl-quar' });
    expect(r.sc).toMatchObject({ fallback: true, fallback_reason: 'no_valid_entries', warnings: [{ code: 'ineligible_butler', index: 0, butler: 'health' }] });
    const prompt = byKind('classification').at(-1)!.prompt;
    expect(prompt).toContain('"relationship"');
    expect(prompt).not.toContain('"health"');
  } finally {
    await sb.db.query(`UPDATE butler_registry SET eligibility_state = 'active' WHERE name = 'health'`);
  }
});

test('dispatch validates the plan first: dry run, bad policy and empty plans write nothing', async () => {
  const count = async () => (await sb.db.query('SELECT count(*)::int AS n FROM fanout_execution_log')).rows[0].n as number;
  const before = await count();
  const dry = await sb.call('dispatch', { entries: [entry('health', 'a'), entry('relationship', 'b'), entry('general', 'c')], dry_run: true });
  expect(DispatchResult.parse(dry.sc).plan).toMatchObject({ mode: 'parallel', join_policy: 'wait_for_all', abort_policy: 'continue' });
  expect(dry.sc.plan.subrequests.map((s: any) => [s.subrequest_id, s.segment_id, s.butler, s.required, s.run_if])).toEqual([
    ['sr-1', 'seg-1', 'health', true, 'success'], ['sr-2', 'seg-2', 'relationship', true, 'success'], ['sr-3', 'seg-3', 'general', true, 'success'],
  ]);
  const bad = await sb.call('dispatch', { entries: [entry('health', 'a')], policy: { mode: 'invalid' } });
  expect(bad).toMatchObject({ isError: true, sc: { error: 'invalid_fanout_mode', message: expect.stringContaining('Invalid fanout mode') } });
  expect((await sb.call('dispatch', { entries: [] })).sc.error).toBe('empty_plan');
  const cyc = await sb.call('dispatch', { entries: [entry('health', 'a'), entry('general', 'b')], policy: { mode: 'conditional' }, overrides: [{ depends_on: ['sr-2'] }, { depends_on: ['sr-1'] }], dry_run: true });
  expect(cyc.sc.error).toBe('dependency_cycle');
  expect((await sb.call('dispatch', { entries: [entry('health', 'a')], policy: { mood: 'x' } })).sc.error).toBe('invalid_arguments');
  expect(await count()).toBe(before);
  expect(triggers.health.state.calls).toHaveLength(0);
});

test('dispatch routes trigger, logs routing and fanout rows, completes the inbox and returns the single reply', async () => {
  const { sc: accepted } = await sb.call('ingest', { envelope: envelope({ idempotency_key: 'pl-dispatch' }) });
  const r = await sb.call('dispatch', { entries: [entry('health', 'Log weight 80 kg')], request_id: accepted.request_id, tag: 'pl-d1' }, { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' });
  expect(r.isError).toBe(false);
  const result = DispatchResult.parse(r.sc);
  expect(result.outcomes).toEqual([{ subrequest_id: 'sr-1', butler: 'health', status: 'success', error: null, session_id: expect.any(String), output: 'health did: Log weight 80 kg', duration_ms: expect.any(Number) }]);
  expect(result.aggregate).toEqual({ text: 'health did: Log weight 80 kg', method: 'single', conflicts: [] });
  expect(triggers.health.state.calls.at(-1)!.args).toEqual({ prompt: 'Log weight 80 kg', trigger_source: 'external', request_id: accepted.request_id, subrequest_id: 'sr-1', tag: 'pl-d1' });
  const routed = (await sb.db.query('SELECT * FROM routing_log WHERE request_id = $1', [accepted.request_id])).rows;
  expect(routed).toEqual([expect.objectContaining({ origin: 'dispatch', target_butler: 'health', tool_name: 'trigger', status: 'success', subrequest_id: 'sr-1', tag: 'pl-d1', trace_id: '11111111111111111111111111111111' })]);
  const [row] = await fanoutRows(result.dispatch_id!);
  expect(row).toMatchObject({ request_id: accepted.request_id, subrequest_id: 'sr-1', segment_id: 'seg-1', butler: 'health', mode: 'parallel', status: 'success', target_session_id: result.outcomes[0].session_id, error_class: null });
  expect(row.started_at.getTime()).toBeLessThanOrEqual(row.finished_at.getTime());
  expect((await sb.db.query('SELECT status FROM message_inbox WHERE request_id = $1', [accepted.request_id])).rows[0].status).toBe('completed');
  expect(sb.lines.find((l) => l.event === 'dispatch.plan' && l.dispatch_id === result.dispatch_id)).toMatchObject({ level: 30, mode: 'parallel', subrequests: [expect.objectContaining({ subrequest_id: 'sr-1', butler: 'health' })] });
});

test('ordered dispatch runs sr-2 only after sr-1 finished (fanout timestamps)', async () => {
  triggers.health.state.behave = () => ({ delayMs: 150 });
  const r = await sb.call('dispatch', { entries: [entry('health', 'h'), entry('relationship', 'r')], policy: { mode: 'ordered' }, tag: 'pl-ord' });
  triggers.health.state.behave = () => ({});
  const [one, two] = await fanoutRows(r.sc.dispatch_id);
  expect([one.status, two.status, one.mode]).toEqual(['success', 'success', 'ordered']);
  expect(two.started_at.getTime()).toBeGreaterThanOrEqual(one.finished_at.getTime());
  expect(r.sc.aggregate.method).toBe('synthesis');
});

test('conditional run_if: a failed dependency skips sr-2 under success, and always runs it', async () => {
  const overrides = (runIf: string) => [{}, { depends_on: ['sr-1'], run_if: runIf }];
  const skipped = await sb.call('dispatch', { entries: [entry('ghost', 'g'), entry('general', 'x')], policy: { mode: 'conditional' }, overrides: overrides('success'), tag: 'pl-cond' });
  expect(skipped.sc.outcomes.map((o: any) => [o.butler, o.status, o.error])).toEqual([['ghost', 'target_unavailable', 'target_unavailable'], ['general', 'skipped', null]]);
  const rows = await fanoutRows(skipped.sc.dispatch_id);
  expect(rows.map((x) => [x.status, x.run_if, x.depends_on])).toEqual([['target_unavailable', 'success', []], ['skipped', 'success', ['sr-1']]]);
  expect(rows[0].error_class).toBe('connection_refused');
  expect(skipped.sc.aggregate).toEqual({ text: 'The ghost butler was unavailable (target_unavailable).', method: 'single', conflicts: [] });
  const always = await sb.call('dispatch', { entries: [entry('ghost', 'g'), entry('general', 'x')], policy: { mode: 'conditional' }, overrides: overrides('always'), tag: 'pl-cond' });
  expect(always.sc.outcomes.map((o: any) => o.status)).toEqual(['target_unavailable', 'success']);
});

test('first_success: ordered cancels sr-2 without a second session; parallel lets the slow one finish in the background', async () => {
  const relBefore = triggers.relationship.state.calls.length;
  const ordered = await sb.call('dispatch', { entries: [entry('health', 'h'), entry('relationship', 'r')], policy: { mode: 'ordered', join_policy: 'first_success' }, tag: 'pl-first' });
  expect(ordered.sc.outcomes.map((o: any) => o.status)).toEqual(['success', 'cancelled']);
  expect(triggers.relationship.state.calls.length).toBe(relBefore);
  expect((await fanoutRows(ordered.sc.dispatch_id)).map((x) => x.status)).toEqual(['success', 'cancelled']);

  triggers.relationship.state.behave = () => ({ delayMs: 700 });
  const parallel = await sb.call('dispatch', { entries: [entry('health', 'h'), entry('relationship', 'r')], policy: { join_policy: 'first_success' }, tag: 'pl-first' });
  triggers.relationship.state.behave = () => ({});
  expect(parallel.sc.outcomes.map((o: any) => o.status)).toEqual(['success', 'running']);
  expect(parallel.sc.aggregate).toMatchObject({ method: 'single', text: 'health did: h' });
  await until(async () => (await fanoutRows(parallel.sc.dispatch_id))[1].status === 'success', 10_000, 'background subrequest logged');
});

test('abort policies cancel what has not started after a failure', async () => {
  const run = (policy: Record<string, string>, overrides?: object[]) =>
    sb.call('dispatch', { entries: [entry('ghost', 'g'), entry('relationship', 'r')], policy: { mode: 'ordered', ...policy }, overrides, tag: 'pl-abort' }).then((r) => r.sc.outcomes.map((o: any) => o.status));
  expect(await run({ abort_policy: 'on_any_failure' })).toEqual(['target_unavailable', 'cancelled']);
  expect(await run({ abort_policy: 'on_required_failure' }, [{ required: false }])).toEqual(['target_unavailable', 'success']);
  expect(await run({ abort_policy: 'on_required_failure' })).toEqual(['target_unavailable', 'cancelled']);
});

test('aggregation: synthesis session when on, concatenation when it fails, inbox failed when nothing succeeds, timeouts reported', async () => {
  spawner.state.reply = (req) => (req.kind === 'synthesis' ? spawnerResult({ output: 'Both done.' }) : spawnerResult());
  const synth = await sb.call('dispatch', { entries: [entry('health', 'h'), entry('relationship', 'r')], tag: 'pl-agg' });
  expect(synth.sc.aggregate).toEqual({ text: 'Both done.', method: 'synthesis', conflicts: [] });
  const call = byKind('synthesis').at(-1)!;
  expect(call).toMatchObject({ triggerSource: 'external', tag: 'pl-agg' });
  expect(call.prompt).toContain('relationship replied:\nrelationship did: r');

  spawner.state.reply = () => spawnerResult({ success: false, output: null, error: 'api_error' });
  const { sc: accepted } = await sb.call('ingest', { envelope: envelope({ idempotency_key: 'pl-agg-fail' }) });
  triggers.health.state.behave = () => ({ delayMs: 1500 });
  const mixed = await sb.call('dispatch', { entries: [entry('ghost', 'g'), entry('health', 'h')], request_id: accepted.request_id, tag: 'pl-agg', timeout_ms: 500 });
  triggers.health.state.behave = () => ({});
  expect(mixed.sc.outcomes.map((o: any) => [o.status, o.error])).toEqual([['target_unavailable', 'target_unavailable'], ['timeout', 'timeout']]);
  expect(mixed.sc.outcomes[1].duration_ms).toBeGreaterThanOrEqual(500);
  expect(mixed.sc.aggregate).toEqual({ text: '[ghost] (unavailable: target_unavailable)\n\n[health] (unavailable: timeout)', method: 'concatenation', conflicts: [] });
  expect((await sb.db.query('SELECT status FROM message_inbox WHERE request_id = $1', [accepted.request_id])).rows[0].status).toBe('failed');
  const routed = (await sb.db.query('SELECT target_butler, status, error_class FROM routing_log WHERE request_id = $1 ORDER BY target_butler', [accepted.request_id])).rows;
  expect(routed).toEqual([
    { target_butler: 'ghost', status: 'target_unavailable', error_class: 'connection_refused' },
    { target_butler: 'health', status: 'timeout', error_class: 'timeout' },
  ]);
});

test('a session that ran but failed is an error outcome carrying its session id', async () => {
  triggers.general.state.behave = () => ({ result: { success: false, output: null, error: 'authentication_error: invalid x-api-key' } });
  const r = await sb.call('dispatch', { entries: [entry('general', 'x')], tag: 'pl-sess' });
  triggers.general.state.behave = () => ({});
  expect(r.sc.outcomes[0]).toMatchObject({ status: 'error', error: 'authentication_error: invalid x-api-key', session_id: expect.any(String) });
  const [row] = await fanoutRows(r.sc.dispatch_id);
  expect(row).toMatchObject({ status: 'error', error_class: 'session_error', target_session_id: r.sc.outcomes[0].session_id });
});
