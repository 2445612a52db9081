import { RouteResult } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * RES-12: the switchboard meets a registered endpoint that speaks enough MCP to
 * be connected to and then misbehaves on `tools/call` (staging/rogue-server,
 * `faults.rogue`). Every answer ends in one precise route status, the router
 * never blocks past the route timeout, and the switchboard keeps serving.
 */
const route = async (sb: McpHandle, target: string, tag: string, extra: Record<string, unknown> = {}) => {
  const out = await sb.callTool('route', { target_butler: target, tool_name: 'status', tag, ...extra });
  return { isError: out.isError, r: RouteResult.parse(out.data) };
};

const routingRows = async (sql: (b: string) => { query: Function }, tag: string) =>
  (await sql('switchboard').query('select target_butler, status, error_class from routing_log where tag = $1 order by created_at', [tag])).rows;

const failures = async (sql: (b: string) => { query: Function }, name: string) =>
  (await sql('switchboard').query('select consecutive_failures from butler_registry where name = $1', [name])).rows[0]?.consecutive_failures;

/** The switchboard still answers, and still routes to a real butler. */
async function switchboardHealthy(sb: McpHandle, tag: string) {
  expect((await sb.callTool('status', {})).isError, 'switchboard status answers').toBe(false);
  const after = (await route(sb, 'health', `${tag}-after`)).r;
  expect(after, `a route to health still succeeds: ${JSON.stringify(after)}`).toMatchObject({ ok: true });
}

const routeFailed = (name: string) => (l: { event?: string; target_butler?: unknown }) => l.event === 'route.failed' && l.target_butler === name;

test('RES-12 a rogue server answering tools/call with a body that is not JSON is error / malformed_response; route.failed logged; switchboard healthy', async ({ mcp, faults, sql, logs, tag }) => {
  const rogue = await faults.rogue('rogue', 'malformed');
  const sb = await mcp('switchboard');
  const { isError, r } = await route(sb, 'rogue', tag);
  expect(isError).toBe(true);
  expect(r).toMatchObject({ ok: false, error: 'malformed_response', error_class: 'malformed_response' });
  expect(rogue.requests().filter((q) => q.method === 'tools/call').map((q) => [q.tool, q.answered]), 'the rogue was reached and misbehaved').toEqual([['status', 'malformed']]);
  expect(await routingRows(sql, tag)).toEqual([{ target_butler: 'rogue', status: 'error', error_class: 'malformed_response' }]);
  expect((await logs.waitFor((l) => l.event === 'route.failed' && l.tag === tag)).map((l) => [l.level, l.error, l.error_class])).toEqual([[50, 'malformed_response', 'malformed_response']]);
  // A target that answers nonsense is alive: not a transport failure, so nothing counts towards quarantine.
  expect(await failures(sql, 'rogue')).toBe(0);
  await switchboardHealthy(sb, tag);
  logs.expectNoUnexpectedErrors({ allow: [routeFailed('rogue')] });
});

test('RES-12 valid JSON that is no JSON-RPC message, and a JSON-RPC result of the wrong shape, are malformed_response too', async ({ mcp, faults, sql, logs, tag }) => {
  const rogue = await faults.rogue({ kind: 'malformed', body: '{"hello":"world"}' });
  const sb = await mcp('switchboard');
  expect((await route(sb, rogue.name, tag)).r).toMatchObject({ ok: false, error: 'malformed_response', error_class: 'malformed_response' });
  rogue.setBehaviour('wrong_shape');
  expect((await route(sb, rogue.name, tag)).r).toMatchObject({ ok: false, error: 'malformed_response', error_class: 'malformed_response' });
  expect(rogue.requests().filter((q) => q.method === 'tools/call').map((q) => q.answered)).toEqual(['malformed', 'wrong_shape']);
  expect((await routingRows(sql, tag)).map((x: { status: string; error_class: string | null }) => [x.status, x.error_class])).toEqual([['error', 'malformed_response'], ['error', 'malformed_response']]);
  expect(await failures(sql, rogue.name)).toBe(0);
  await switchboardHealthy(sb, tag);
  logs.expectNoUnexpectedErrors({ allow: [routeFailed(rogue.name)] });
});

test('RES-12 an HTTP 500 from the rogue is target_unavailable / http_500 and counts towards quarantine', async ({ mcp, faults, sql, logs, tag }) => {
  const rogue = await faults.rogue({ kind: 'status', code: 500 });
  const sb = await mcp('switchboard');
  expect((await route(sb, rogue.name, tag)).r).toMatchObject({ ok: false, error: 'target_unavailable', error_class: 'http_500' });
  expect(await routingRows(sql, tag)).toEqual([{ target_butler: rogue.name, status: 'target_unavailable', error_class: 'http_500' }]);
  expect(await failures(sql, rogue.name)).toBe(1);
  await switchboardHealthy(sb, tag);
  logs.expectNoUnexpectedErrors({ allow: [routeFailed(rogue.name)] });
});

test('RES-12 a socket destroyed mid-answer is target_unavailable / connection_reset, and the call is not replayed', async ({ mcp, faults, sql, logs, tag }) => {
  const rogue = await faults.rogue({ kind: 'close', afterBytes: 20 });
  const sb = await mcp('switchboard');
  expect((await route(sb, rogue.name, tag)).r).toMatchObject({ ok: false, error: 'target_unavailable', error_class: 'connection_reset' });
  expect(rogue.requests().filter((q) => q.method === 'tools/call'), 'one tools/call: no retry').toHaveLength(1);
  expect(await routingRows(sql, tag)).toEqual([{ target_butler: rogue.name, status: 'target_unavailable', error_class: 'connection_reset' }]);
  expect(await failures(sql, rogue.name)).toBe(1);
  await switchboardHealthy(sb, tag);
  logs.expectNoUnexpectedErrors({ allow: [routeFailed(rogue.name)] });
});

test('RES-12 a slow rogue is timeout after timeout_ms (duration ≥ the timeout); answering within it is success on a new client', async ({ mcp, faults, sql, logs, tag }) => {
  const rogue = await faults.rogue({ kind: 'slow', ms: 4000 });
  const sb = await mcp('switchboard');
  const { r } = await route(sb, rogue.name, tag, { timeout_ms: 1000 });
  expect(r).toMatchObject({ ok: false, error: 'timeout', error_class: 'timeout' });
  expect(r.duration_ms).toBeGreaterThanOrEqual(1000);
  expect(await failures(sql, rogue.name)).toBe(1);
  rogue.setBehaviour({ kind: 'slow', ms: 100 });
  // The timed-out client was discarded; a success resets the failure count.
  expect((await route(sb, rogue.name, tag, { timeout_ms: 10_000 })).r).toMatchObject({ ok: true, client: 'new', result: { butler: rogue.name, rogue: true } });
  expect(await failures(sql, rogue.name)).toBe(0);
  expect((await routingRows(sql, tag)).map((x: { status: string; error_class: string | null }) => [x.status, x.error_class])).toEqual([['timeout', 'timeout'], ['success', null]]);
  logs.expectNoUnexpectedErrors({ allow: [routeFailed(rogue.name)] });
});

test('RES-12 a rogue that never answers is timeout at timeout_ms, not later, while the switchboard keeps routing to others meanwhile', async ({ mcp, faults, sql, logs, tag }) => {
  const rogue = await faults.rogue('hang');
  // A second rogue that does answer, after 6 s: the hung route (3 s budget) must be back before it.
  const slow = await faults.rogue({ kind: 'slow', ms: 6000 });
  const sb = await mcp('switchboard');
  const done: string[] = [];
  const hung = route(sb, rogue.name, tag, { timeout_ms: 3000 }).then((x) => (done.push('hung'), x));
  const late = route(sb, slow.name, `${tag}-slow`, { timeout_ms: 30_000 }).then((x) => (done.push('slow'), x));
  await expect.poll(() => rogue.requests().some((q) => q.answered === 'hang')).toBe(true);
  // While the rogue holds its call, a route to a real butler is served (the router does not block on a target).
  const other = await sb.callTool('route', { target_butler: 'health', tool_name: 'status', tag: `${tag}-meanwhile` });
  done.push('health');
  expect(RouteResult.parse(other.data)).toMatchObject({ ok: true });
  const { r } = await hung;
  expect(r).toMatchObject({ ok: false, error: 'timeout', error_class: 'timeout' });
  expect(r.duration_ms).toBeGreaterThanOrEqual(3000);
  expect((await late).r).toMatchObject({ ok: true });
  expect(done, 'health answered at once; the hung route gave up at its deadline, before the 6 s answer came').toEqual(['health', 'hung', 'slow']);
  expect(await routingRows(sql, tag)).toEqual([{ target_butler: rogue.name, status: 'timeout', error_class: 'timeout' }]);
  await switchboardHealthy(sb, tag);
  logs.expectNoUnexpectedErrors({ allow: [routeFailed(rogue.name)] });
});

test('RES-12 an oversized answer (16 MB, over the 8 MiB route answer limit) is error / malformed_response (response_too_large); a 1 MB one passes whole; the switchboard stays healthy', async ({ mcp, faults, sql, logs, tag }) => {
  // switchboard.max_response_bytes (docs/ecosystem.md §16): the router stops reading a target's answer past it instead of buffering it whole.
  const rogue = await faults.rogue({ kind: 'oversized', mb: 16 });
  const sb = await mcp('switchboard');
  const big = await route(sb, rogue.name, tag, { timeout_ms: 30_000 });
  expect(big.isError).toBe(true);
  expect(big.r).toMatchObject({ ok: false, error: 'malformed_response', error_class: 'response_too_large' });
  expect(big.r.ok === false && big.r.message).toContain(String(8 * 1024 * 1024));
  rogue.setBehaviour({ kind: 'oversized', mb: 1 });
  const fine = await route(sb, rogue.name, tag, { timeout_ms: 30_000 });
  expect(fine.r).toMatchObject({ ok: true, client: 'new' });
  const text = (fine.r as { result: { content: { text: string }[] } }).result.content[0].text;
  expect(text.length, 'every byte of an answer within the limit arrived').toBe(1024 * 1024);
  expect((await routingRows(sql, tag)).map((x: { status: string; error_class: string | null }) => [x.status, x.error_class])).toEqual([['error', 'response_too_large'], ['success', null]]);
  // Nonsense from a live target is no transport failure.
  expect(await failures(sql, rogue.name)).toBe(0);
  await switchboardHealthy(sb, tag);
  logs.expectNoUnexpectedErrors({ allow: [routeFailed(rogue.name)] });
});
