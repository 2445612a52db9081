import { test, expect, buildEnvelope } from '../../fixtures/index.ts';
import { loadScenarios } from '../../fixtures/scenario-loader.ts';
import { judgeDispatch } from './full-pipeline.ts';

// One test per declarative scenario (scenarios/ plus E2E_SCENARIOS); the title starts with its id.
const scenarios = await loadScenarios();

for (const s of scenarios) {
  test(`${s.id} ${s.description}`, { tag: s.tags.map((t) => `@${t}`), annotation: { type: 'scenario', description: s.file } }, async ({
    ecosystem,
    pipeline,
    model,
    logs,
    tag,
  }) => {
    test.skip(!!s.skipReason, s.skipReason);
    model.require();
    test.setTimeout((s.timeoutSeconds ?? 120) * 1000);

    if (s.stage === 'classify') {
      const c = await pipeline.classify(s.inputPrompt);
      const butlers = c.entries.map((e) => e.butler);
      for (const b of s.expectedButlers) expect(butlers, `classification of "${s.inputPrompt}"`).toContain(b);
      return;
    }

    const accepted = await pipeline.ingest(buildEnvelope({ body: s.inputPrompt, tag }));
    expect(accepted.duplicate).toBe(false);
    const c = await pipeline.classify(s.inputPrompt, { requestId: accepted.request_id });
    const butlers = c.entries.map((e) => e.butler);
    for (const b of s.expectedButlers) expect(butlers, `classification of "${s.inputPrompt}"`).toContain(b);
    const d = await pipeline.dispatch(c.entries, { requestId: accepted.request_id });
    await judgeDispatch(ecosystem, accepted.request_id, d, s);
    if (s.expectedOutput) {
      for (const piece of s.expectedOutput.contains) expect(d.aggregate.text.toLowerCase()).toContain(piece.toLowerCase());
    }
    await test.step('no unexpected error lines', async () => logs.expectNoUnexpectedErrors());
  });
}
