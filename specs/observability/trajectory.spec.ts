import { expect, test } from '../../fixtures/index.ts';

// The trajectory matchers (fixtures/trajectory-matchers.ts) on a real pipeline's trace, as a user's spec would use them.
test('a weight message\'s trace: routed to health, measurement_log called with the weight, no contact tool, no error span', async ({ pipeline, spans, model }) => {
  model.require();
  await pipeline.run('Log my weight: 80kg');
  await spans.waitForNames({ 'tool:measurement_log': 1, 'switchboard.aggregate': 1 });
  await expect(spans).toHaveSpanPath(['switchboard.dispatch', 'switchboard.route', 'tool:trigger'], { direct: false });
  await expect(spans).toContainSpan({ name: 'switchboard.route', attributes: { target_butler: 'health' } });
  await expect(spans).toCallTools(['ingest', 'classify', 'dispatch', 'trigger', 'measurement_log']);
  await expect(spans).toCallTool('measurement_log', { args: { value: 80 }, times: 1 });
  await expect(spans).not.toCallTool('contact_add');
  await expect(spans).toHaveSpanCount('llm.request', { min: 2 });
  await expect(spans).toHaveNoErrorSpans();
});
