import { readFileSync } from 'node:fs';
import { SpawnerResult } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';

/** Where `needle` occurs among the session rows of every butler, as "butler.sessions" hits. */
async function sessionHits(sql: (b: string) => import('pg').Pool, butlers: string[], needle: string, columns = ['tool_calls', 'prompt', 'output', 'error']): Promise<string[]> {
  const hits: string[] = [];
  for (const b of butlers) {
    for (const col of columns) {
      const { rows } = await sql(b).query(`select count(*)::int as n from sessions where strpos(coalesce(${col}::text, ''), $1) > 0`, [needle]);
      if (rows[0].n > 0) hits.push(`${b}.sessions.${col}`);
    }
  }
  return hits;
}

test('SEC-13 after a full pipeline the API key is in no log line, session row, span or model request', async ({ ecosystem, pipeline, spans, sql, model }) => {
  await pipeline.run('Log my weight: 80kg');
  await spans.waitForNames({ 'tool:measurement_log': 1, 'switchboard.aggregate': 1 });
  const key = ecosystem.model.apiKey;
  test.skip(!key, 'live mode without ANTHROPIC_API_KEY: there is no key to look for');
  expect(readFileSync(ecosystem.logFile, 'utf8').includes(key!), 'API key in the run log').toBe(false);
  expect(await sessionHits(sql, Object.keys(ecosystem.butlers), key!)).toEqual([]);
  const leaking = spans.collector.spans().filter((s) => JSON.stringify(s).includes(key!));
  expect(leaking.map((s) => `${s.service} ${s.name}`), 'spans holding the API key').toEqual([]);
  expect(JSON.stringify(await model.requests()).includes(key!), 'API key in the double request log').toBe(false);
});

test('SEC-15 a notification recipient appears only in the approvals row: not in spans, tool_calls or log lines', async ({ ecosystem, mcp, spans, sql, logs, model, approver, tag }) => {
  model.require();
  approver.approveByTag();
  const recipient = `${tag}@example.test`;
  const messenger = await mcp('messenger');
  await messenger.call('notification_log', { channel: 'telegram', recipient, body: 'the report is ready' });
  // The double's call is forced so the check is about the ecosystem's redaction, not about how a model fills `subject`
  // (the double copies the address there today: issue 9). A live model gets the same request in words.
  if (ecosystem.model.mode === 'double') {
    await model.fault({ match: { butler: 'messenger', tag }, action: { type: 'tool_use', name: 'notification_log', input: { channel: 'telegram', recipient, body: 'the report is ready' } } });
  }
  const prompt = ecosystem.model.mode === 'double' ? 'Tell me when the report is ready' : `Send a telegram notification to ${recipient} saying the report is ready`;
  const r = await messenger.call('trigger', { prompt, trigger_source: 'test', tag }, SpawnerResult, { timeoutMs: 60_000 });
  expect(r.tool_calls.some((c) => c.name === 'notification_log' && !c.is_error), JSON.stringify(r.tool_calls)).toBe(true);
  expect(r.success, r.error ?? '').toBe(true);
  await spans.waitFor((s) => s.filter((x) => x.name === 'tool:notification_log').length >= 2, { what: 'both notification_log spans' });
  const inSpans = spans.collector.spans().filter((s) => JSON.stringify(s).includes(recipient));
  expect(inSpans.map((s) => `${s.service} ${s.name} ${JSON.stringify(s.attributes)} ${s.statusMessage ?? ''}`)).toEqual([]);
  // tool_calls is what the ecosystem stores of the call; `output` is the model's own reply text, which may quote it.
  expect(await sessionHits(sql, ['messenger'], recipient, ['tool_calls'])).toEqual([]);
  expect(logs.window().filter((l) => JSON.stringify(l).includes(recipient)).map((l) => l.event)).toEqual([]);
  const { rows } = await sql('messenger').query(`select count(*)::int as n from approvals where tool_args->>'recipient' = $1`, [recipient]);
  expect(rows[0].n, 'the approvals rows keep the recipient').toBeGreaterThanOrEqual(1);
});

test('SEC-19 every client span a butler daemon emits targets the switchboard; the heartbeat knows only its URL', async ({ ecosystem, spans }) => {
  const sb = ecosystem.butlers.switchboard;
  const allowed = new Set([sb.url, sb.advertisedUrl]);
  const daemons = Object.keys(ecosystem.butlers).filter((b) => b !== 'switchboard');
  // Registration at boot gives every daemon at least one client span; wait for them (bounded), never sleep.
  const all = await spans.collector.waitForSpans({}, (s) => daemons.every((b) => s.some((x) => x.service === `butler-${b}` && x.kind === 'client')), { timeoutMs: 10_000, what: 'a client span of every daemon' });
  const clients = all.filter((s) => s.kind === 'client' && /^butler-[a-z0-9_-]+$/.test(s.service) && !s.service.endsWith('-session') && s.service !== 'butler-switchboard');
  expect(clients.length).toBeGreaterThanOrEqual(daemons.length);
  const strays = clients.filter((s) => !allowed.has(String(s.attributes['server.url'])));
  expect(strays.map((s) => `${s.service} ${s.name} → ${s.attributes['server.url']}`)).toEqual([]);
  const overlay = JSON.stringify(ecosystem.supervisor.spec('heartbeat').overlay);
  const urls = overlay.match(/https?:\/\/[^"'\s\\]+/g) ?? [];
  // Its own URLs aside: the real port and the advertised one (its fault proxy).
  const own = (u: string) => u.startsWith(ecosystem.butlers.heartbeat.url.replace(/\/mcp$/, '')) || u === ecosystem.butlers.heartbeat.advertisedUrl;
  expect(urls.filter((u) => !allowed.has(u) && !own(u))).toEqual([]);
});

test('SEC-20 route spans and routing_log rows match one to one by trace and target', async ({ pipeline, spans, sql }) => {
  await pipeline.run('Log my weight: 80kg');
  const all = await spans.waitForNames({ 'switchboard.route': 1, 'tool:trigger': 1, 'switchboard.aggregate': 1 });
  const routes = all.filter((s) => s.name === 'switchboard.route').map((s) => `${s.attributes.target_butler}:${s.attributes['route.status']}`).sort();
  const { rows } = await sql('switchboard').query(`select target_butler, status from routing_log where trace_id = $1`, [spans.traceId]);
  expect(rows.map((r) => `${r.target_butler}:${r.status}`).sort()).toEqual(routes);
  expect(routes.length).toBeGreaterThanOrEqual(1);
});

test('SEC-17 message content reaches only debug-level lines', async ({ pipeline, logs, tag }) => {
  // A marker only the message body carries (the tag itself is a correlation field on info lines too).
  const marker = `${tag}-body-sec17`;
  const run = await pipeline.run(`Log my weight: 80kg ${marker}`);
  expect(run.dispatch.outcomes.every((o) => o.status === 'success')).toBe(true);
  // Wait for the health session's lines (the last to be written) so the window is complete before judging it.
  await expect.poll(() => logs.window().some((l) => l.event === 'spawner.session_completed' && l.butler === 'health'), { timeout: 5000 }).toBe(true);
  const lines = logs.window().filter((l) => JSON.stringify(l).includes(marker));
  expect(lines.length, 'the body is in the debug lines (prompts, tool calls)').toBeGreaterThan(0);
  expect(lines.filter((l) => l.level > 20).map((l) => `${l.level} ${l.butler ?? l.component} ${l.event}`)).toEqual([]);
});
