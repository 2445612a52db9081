import { expect, test } from '../../fixtures/index.ts';
import { RouteResult } from '../../contracts/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * The switchboard's MCP client cache (docs/performance.md): one client per
 * target endpoint, reused by later routes and logged as reused, rebuilt after
 * `route_cache_clear`; a reused client is cheaper than a new one in this run.
 */

const route = (sb: McpHandle, tag: string) => sb.call('route', { target_butler: 'health', tool_name: 'status', args: {}, tag }, RouteResult);
const clear = (sb: McpHandle) => sb.callTool('route_cache_clear', { target_butler: 'health' });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

test('PRF-11 a second route to health reuses the cached client: client "cached" and routing_log client_reused true', async ({ mcp, sql, tag }) => {
  const sb = await mcp('switchboard');
  expect((await clear(sb)).isError).toBe(false);
  const first = await route(sb, tag);
  const second = await route(sb, tag);
  expect(first).toMatchObject({ ok: true, client: 'new' });
  expect(second).toMatchObject({ ok: true, client: 'cached' });
  const { rows } = await sql('switchboard').query('select status, client_reused from routing_log where tag = $1 order by created_at', [tag]);
  expect(rows).toEqual([
    { status: 'success', client_reused: false },
    { status: 'success', client_reused: true },
  ]);
});

test('PRF-12 route, route_cache_clear, route: the third call builds a new client', async ({ mcp, sql, tag }) => {
  const sb = await mcp('switchboard');
  await route(sb, tag); // whatever the cache held, a client to health exists now
  const cached = await route(sb, tag);
  expect(cached).toMatchObject({ ok: true, client: 'cached' });
  const cleared = await clear(sb);
  expect(cleared.isError, cleared.text).toBe(false);
  const third = await route(sb, tag);
  expect(third).toMatchObject({ ok: true, client: 'new' });
  const { rows } = await sql('switchboard').query('select client_reused from routing_log where tag = $1 order by created_at', [tag]);
  expect(rows.map((r) => r.client_reused)).toEqual([rows[0].client_reused, true, false]);
});

test('PRF-13 the median new-client route takes longer than the median cached one (same run)', async ({ mcp, tag }) => {
  const sb = await mcp('switchboard');
  const fresh: number[] = [];
  const reused: number[] = [];
  // Interleaved, so a slow moment of the machine touches both kinds alike.
  await route(sb, tag);
  for (let i = 0; i < 10; i++) {
    const c = await route(sb, tag);
    expect(c).toMatchObject({ ok: true, client: 'cached' });
    reused.push(c.duration_ms);
    await clear(sb);
    const n = await route(sb, tag);
    expect(n).toMatchObject({ ok: true, client: 'new' });
    fresh.push(n.duration_ms);
  }
  const ratio = median(fresh) / Math.max(median(reused), 0.001);
  test.info().annotations.push({ type: 'route medians', description: `new ${median(fresh)} ms, cached ${median(reused)} ms, new/cached ${ratio.toFixed(2)}` });
  expect(ratio, `new ${fresh.join(', ')} vs cached ${reused.join(', ')}`).toBeGreaterThan(1);
});
