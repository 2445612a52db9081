import { ClassifyResult, DispatchResult } from '../../contracts/index.ts';
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
