import { ClassifyResult, RouteResult } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';
import { startFaultProxy } from '../../staging/fault-proxy/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * The router's own guards (docs/ecosystem.md §8.5): the route chain in `_meta`
 * stops cycles and over-long chains before anything is called (RES-21), and
 * consecutive transport failures quarantine an entry whose endpoint went bad,
 * after which nothing is called at all and the classifier no longer sees it (RES-22).
 */
const route = async (sb: McpHandle, args: Record<string, unknown>, meta?: Record<string, unknown>) => {
  const out = await sb.callTool('route', args, meta ? { meta } : {});
  return { isError: out.isError, r: RouteResult.parse(out.data), data: out.data as Record<string, any> };
};

type Rows = { target_butler: string; tool_name: string; status: string; error_class: string | null }[];
const routingRows = async (sql: (b: string) => { query: Function }, tag: string): Promise<Rows> =>
  (await sql('switchboard').query('select target_butler, tool_name, status, error_class from routing_log where tag = $1 order by created_at', [tag])).rows;

test('RES-21 routing the switchboard to its own route back to itself: inner routing_cycle_detected, outer tool_error; a 5-hop _meta chain is routing_depth_exceeded; all logged', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const inner = `${tag}-inner`;
  const outer = await route(sb, { target_butler: 'switchboard', tool_name: 'route', args: { target_butler: 'switchboard', tool_name: 'status', tag: inner }, tag });
  expect(outer.isError).toBe(true);
  expect(outer.r).toMatchObject({ ok: false, error: 'tool_error', error_class: 'tool_error' });
  // The inner route's failed RouteResult comes back as the target's error.
  expect(outer.data.target_error).toMatchObject({ ok: false, error: 'routing_cycle_detected', error_class: 'routing_cycle_detected' });
  expect(await routingRows(sql, tag)).toEqual([{ target_butler: 'switchboard', tool_name: 'route', status: 'error', error_class: 'tool_error' }]);
  expect(await routingRows(sql, inner)).toEqual([{ target_butler: 'switchboard', tool_name: 'status', status: 'error', error_class: 'routing_cycle_detected' }]);

  // An operator call whose _meta says it already passed five butlers (max_route_depth is 4); none of them is the target.
  const deepTag = `${tag}-deep`;
  const chain = ['general', 'relationship', 'messenger', 'heartbeat', 'switchboard'];
  const deep = await route(sb, { target_butler: 'health', tool_name: 'status', tag: deepTag }, { 'butlers/route_chain': chain });
  expect(deep.isError).toBe(true);
  expect(deep.r).toMatchObject({ ok: false, error: 'routing_depth_exceeded', error_class: 'routing_depth_exceeded' });
  expect(await routingRows(sql, deepTag)).toEqual([{ target_butler: 'health', tool_name: 'status', status: 'error', error_class: 'routing_depth_exceeded' }]);

  const failed = await logs.waitFor((l) => l.event === 'route.failed' && [tag, inner, deepTag].includes(l.tag as string), { count: 3, what: 'route.failed of the three routes' });
  for (const [t, error] of [[tag, 'tool_error'], [inner, 'routing_cycle_detected'], [deepTag, 'routing_depth_exceeded']]) {
    expect(failed.filter((l) => l.tag === t).map((l) => [l.level, l.error]), `route.failed for ${t}`).toEqual([[50, error]]);
  }
  // A guard is no transport failure: nothing counts against the targets.
  const { rows } = await sql('switchboard').query(`select name, consecutive_failures from butler_registry where name in ('switchboard', 'health') order by name`);
  expect(rows).toEqual([{ name: 'health', consecutive_failures: 0 }, { name: 'switchboard', consecutive_failures: 0 }]);
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.event === 'route.failed' && [tag, inner, deepTag].includes(String(l.tag))] });
});

test('RES-22 health repointed at a refusing port: three target_unavailable, then target_quarantined without a connection; quarantined with a reason; the classifier no longer sees health', async ({ ecosystem, mcp, sql, faults, model, logs, tag }) => {
  const control = model.requireDouble();
  const health = await faults.registry('health'); // put back after the test
  expect(health.eligibility_state).toBe('active');
  // Our own proxy in front of health's real port, refusing: connects fail (ECONNREFUSED) and, once it passes, would be counted.
  const bad = await startFaultProxy({ target: ecosystem.butlers.health.port, name: 'res-22' });
  try {
    await bad.refuse();
    // The count starts from zero whatever earlier tests left (the registry fixture puts the row back afterwards).
    await sql('switchboard').query(`update butler_registry set endpoint_url = $1, consecutive_failures = 0 where name = 'health'`, [`${bad.url}/mcp`]);
    const sb = await mcp('switchboard');
    for (let i = 1; i <= 3; i++) {
      const { r } = await route(sb, { target_butler: 'health', tool_name: 'status', tag });
      expect(r, `route ${i}`).toMatchObject({ ok: false, error: 'target_unavailable', error_class: 'connection_refused' });
    }
    const { rows: [q] } = await sql('switchboard').query('select eligibility_state, consecutive_failures, quarantined_at, quarantine_reason from butler_registry where name = $1', ['health']);
    expect(q).toMatchObject({ eligibility_state: 'quarantined', consecutive_failures: 3 });
    expect(q.quarantined_at).not.toBeNull();
    expect(q.quarantine_reason).toContain('connection_refused');

    // The endpoint would now answer (the proxy passes to the real health): only quarantine keeps the router away.
    await bad.pass();
    bad.resetStats();
    const fourth = await route(sb, { target_butler: 'health', tool_name: 'status', tag });
    expect(fourth.r).toMatchObject({ ok: false, error: 'target_quarantined' });
    expect(bad.stats().connections, 'the quarantined endpoint saw no connection').toBe(0);
    expect((await routingRows(sql, tag)).map((x) => x.status)).toEqual(['target_unavailable', 'target_unavailable', 'target_unavailable', 'target_quarantined']);
    expect((await logs.waitFor((l) => l.event === 'registry.quarantined' && l.target_butler === 'health')).map((l) => l.level)).toEqual([40]);

    const cls = await sb.call('classify', { text: `Remember that Quill-${tag} prefers green tea`, tag }, ClassifyResult);
    const [req] = await control.requests({ tag });
    expect(req, 'the classification reached the double').toBeDefined();
    const detail = await control.request(req.id);
    const registry = JSON.parse(/<registry>\n([\s\S]*?)\n<\/registry>/.exec(firstUserText(detail!.request))![1]) as { name: string }[];
    const names = registry.map((e) => e.name);
    expect(names, 'the classifier is shown the other specialists').toContain('relationship');
    expect(names, 'but not the quarantined health').not.toContain('health');
    expect(cls.entries.map((e) => e.butler)).not.toContain('health');
  } finally {
    await bad.close();
  }
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.event === 'route.failed' && l.target_butler === 'health' && l.tag === tag] });
});

/** The text of the first user message of a Messages API request body. */
function firstUserText(body: unknown): string {
  const m = (body as { messages: { role: string; content: string | { type: string; text?: string }[] }[] }).messages.find((x) => x.role === 'user');
  if (!m) return '';
  return typeof m.content === 'string' ? m.content : m.content.map((b) => b.text ?? '').join('\n');
}
