import { expect, test, type CollectedSpan } from '../../fixtures/index.ts';

const names = (spans: CollectedSpan[]) => spans.map((s) => s.name);
const one = (spans: CollectedSpan[], name: string, extra: (s: CollectedSpan) => boolean = () => true) => {
  const found = spans.filter((s) => s.name === name && extra(s));
  expect(found.length, `exactly one ${name} span; have ${names(spans).join(', ')}`).toBe(1);
  return found[0];
};

test.describe('one trace follows a message through every process', () => {
  // The full pipeline, waited for until the health session's tool span arrived.
  const pipelineTrace = async ({ pipeline, spans }: { pipeline: any; spans: any }) => {
    const run = await pipeline.run('Log my weight: 80kg');
    expect(run.dispatch.outcomes.map((o: { butler: string }) => o.butler)).toEqual(['health']);
    const all: CollectedSpan[] = await spans.waitForNames({ 'tool:measurement_log': 1, 'switchboard.aggregate': 1, 'tool:dispatch': 1, 'spawner.session': 2 }, { timeoutMs: 15_000 });
    return { run, all };
  };

  test('OBS-01 spans from the switchboard, health and the health session all carry the root trace id', async ({ pipeline, spans }) => {
    const { all } = await pipelineTrace({ pipeline, spans });
    const services = new Set(all.map((s) => s.service));
    for (const svc of ['butler-switchboard', 'butler-health', 'butler-health-session', 'butler-switchboard-session']) expect(services, svc).toContain(svc);
    expect(all.every((s) => s.traceId === spans.traceId)).toBe(true);
  });

  test('OBS-02 trigger continues the route span; the session and its tool call descend from spawner.session', async ({ pipeline, spans }) => {
    const { all } = await pipelineTrace({ pipeline, spans });
    const tree = spans.tree(all);
    const route = one(all, 'switchboard.route', (s) => s.attributes.target_butler === 'health');
    const trigger = one(all, 'tool:trigger', (s) => s.service === 'butler-health');
    expect(trigger.parentSpanId, tree.render()).toBe(route.spanId);
    const session = one(all, 'spawner.session', (s) => s.service === 'butler-health');
    expect(session.parentSpanId).toBe(trigger.spanId);
    const tool = one(all, 'tool:measurement_log');
    const path = tree.ancestors(tool).map((s) => s.name);
    expect(path.slice(path.indexOf('spawner.session'))).toEqual(['spawner.session', 'runtime.session', 'mcp.call measurement_log']);
    expect(tree.ancestors(tool)).toContainEqual(session);
  });

  test('OBS-01 a session process starts no trace of its own: every span it exports continues one', async ({ pipeline, spans }) => {
    const since = Date.now();
    // Both session processes have exited (and flushed) once the pipeline returned; their runtime.session spans are the last they export.
    await pipelineTrace({ pipeline, spans });
    await spans.waitForNames({ 'runtime.session': 2 });
    // Session spans exported since `since`: this test's (a worker runs one test at a time), or a scheduled
    // session's, which continues its scheduler's trace. A span without a parent began a trace nobody can
    // follow from the message (a library's own instrumentation, say).
    const recent = spans.collector.spans().filter((s) => s.service.endsWith('-session') && s.startMs >= since);
    expect(recent.filter((s) => s.traceId === spans.traceId).length).toBeGreaterThanOrEqual(5);
    const roots = recent.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => `${s.service} ${s.name} (trace ${s.traceId})`), 'spans of session processes that start their own trace').toEqual([]);
  });

  test('OBS-03 the pipeline trace holds every stage span', async ({ pipeline, spans }) => {
    const { all } = await pipelineTrace({ pipeline, spans });
    const count = (n: string) => all.filter((s) => s.name === n).length;
    for (const n of ['tool:ingest', 'switchboard.ingest', 'tool:classify', 'switchboard.classify', 'tool:dispatch', 'switchboard.dispatch', 'tool:trigger', 'switchboard.aggregate']) {
      expect(count(n), `${n} in ${names(all).join(', ')}`).toBeGreaterThanOrEqual(1);
    }
    expect(count('spawner.session')).toBeGreaterThanOrEqual(2);
    expect(count('switchboard.route')).toBeGreaterThanOrEqual(1);
    expect(count('llm.request')).toBeGreaterThanOrEqual(2);
    expect(all.filter((s) => s.name.startsWith('tool:') && s.service === 'butler-health' && s.name !== 'tool:trigger').length).toBeGreaterThanOrEqual(1);
    // The aggregation happens under the dispatch span.
    expect(spans.tree(all).parent(one(all, 'switchboard.aggregate'))?.name).toBe('switchboard.dispatch');
  });

  test('OBS-05 both session rows carry the root trace id, which is also the trace of switchboard.classify', async ({ pipeline, spans, sql, tag }) => {
    const { all } = await pipelineTrace({ pipeline, spans });
    const classify = one(all, 'switchboard.classify');
    const sb = await sql('switchboard').query(`select trace_id from sessions where tag = $1 and kind = 'classification'`, [tag]);
    const health = await sql('health').query(`select trace_id from sessions where tag = $1`, [tag]);
    expect(sb.rows.map((r) => r.trace_id)).toEqual([spans.traceId]);
    expect(health.rows.map((r) => r.trace_id)).toEqual([spans.traceId]);
    expect(classify.traceId).toBe(spans.traceId);
  });
});
