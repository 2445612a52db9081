import { ClassifyResult, DispatchResult, RouteResult } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';

// Metric checks are deltas inside the test (docs/observability.md): earlier tests cannot satisfy them.
// A worker runs one test at a time, and spans.metric() waits for an export newer than the snapshot, so a delta is this test's own.

test('OBS-10 a classify adds one switchboard.classify.duration_ms observation labelled with the model', async ({ mcp, spans, model, tag }) => {
  model.require();
  const watch = await spans.metric('switchboard.classify.duration_ms');
  const c = await (await mcp('switchboard')).call('classify', { text: 'Log my weight: 80kg', tag }, ClassifyResult);
  expect(c.entries.length).toBeGreaterThanOrEqual(1);
  const delta = await watch.grew({ field: 'count', by: 1 });
  expect(delta.count).toBe(1);
  const points = spans.collector.metricPoints('switchboard.classify.duration_ms');
  expect(points.every((p) => typeof p.labels.model === 'string' && p.labels.model.length > 0), JSON.stringify(points.map((p) => p.labels))).toBe(true);
});

test('OBS-13 a classify grows switchboard.classify.tokens for input and output', async ({ mcp, spans, model, tag }) => {
  model.require();
  const input = await spans.metric('switchboard.classify.tokens', { direction: 'input' });
  const output = await spans.metric('switchboard.classify.tokens', { direction: 'output' });
  await (await mcp('switchboard')).call('classify', { text: 'Log my weight: 80kg', tag }, ClassifyResult);
  expect((await input.grew({ field: 'value', by: 1 })).value).toBeGreaterThan(0);
  expect((await output.grew({ field: 'value', by: 1 })).value).toBeGreaterThan(0);
});

test('OBS-11 a dispatch to health and relationship adds one successful route observation per target', async ({ mcp, spans, model, tag }) => {
  model.require();
  const health = await spans.metric('switchboard.route.duration_ms', { target_butler: 'health', status: 'success' });
  const relationship = await spans.metric('switchboard.route.duration_ms', { target_butler: 'relationship', status: 'success' });
  const d = await (await mcp('switchboard')).call('dispatch', {
    entries: [
      { butler: 'health', prompt: 'Log weight 80kg', segment: {} },
      { butler: 'relationship', prompt: `Add a contact named Dana-${tag}`, segment: {} },
    ],
    tag,
  }, DispatchResult);
  expect(d.outcomes.map((o) => o.status)).toEqual(['success', 'success']);
  expect((await health.grew({ field: 'count' })).count).toBe(1);
  expect((await relationship.grew({ field: 'count' })).count).toBe(1);
});

test('OBS-14 a dispatch of two entries is one subrequests observation of 2 with fanout_mode parallel', async ({ mcp, spans, model, tag }) => {
  model.require();
  const watch = await spans.metric('switchboard.dispatch.subrequests', { fanout_mode: 'parallel' });
  await (await mcp('switchboard')).call('dispatch', {
    entries: [
      { butler: 'health', prompt: 'Log weight 81kg', segment: {} },
      { butler: 'general', prompt: `Remember that the locker code for ${tag} is 12`, segment: {} },
    ],
    tag,
  }, DispatchResult);
  const delta = await watch.grew({ field: 'count' });
  expect(delta).toEqual({ count: 1, value: 2 });
});

test('OBS-12 a route to a refused butler counts one switchboard.route.errors with target_butler health and its error_class', async ({ mcp, spans, faults, sql, logs, tag }) => {
  const proxy = faults.proxy('health');
  const sb = await mcp('switchboard');
  // A refused connect is ECONNREFUSED, which the router classifies as connection_refused (ecosystem/core/router/classify-error.ts).
  const all = await spans.metric('switchboard.route.errors', { target_butler: 'health' });
  const refused = await spans.metric('switchboard.route.errors', { target_butler: 'health', error_class: 'connection_refused' });
  await proxy.refuse();
  const connections = proxy.stats().connections;
  const out = await sb.callTool('route', { target_butler: 'health', tool_name: 'status', tag });
  expect(out.isError, out.text).toBe(true);
  expect(RouteResult.parse(out.data)).toMatchObject({ ok: false, error: 'target_unavailable', error_class: 'connection_refused' });
  expect(proxy.stats().connections, 'a refusing proxy accepts nothing').toBe(connections);
  expect((await refused.grew({ field: 'value', by: 1 })).value).toBe(1);
  expect((await all.grew({ field: 'value', by: 1 })).value, 'no other error_class for health').toBe(1);
  const { rows } = await sql('switchboard').query('select status, error_class from routing_log where tag = $1', [tag]);
  expect(rows).toEqual([{ status: 'target_unavailable', error_class: 'connection_refused' }]);
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.event === 'route.failed' && l.target_butler === 'health'] });
  // Back in pass, a route succeeds again, which also clears health's failure count for later tests.
  await proxy.pass();
  const again = await sb.callTool('route', { target_butler: 'health', tool_name: 'status', tag });
  expect(RouteResult.parse(again.data), again.text).toMatchObject({ ok: true });
});
