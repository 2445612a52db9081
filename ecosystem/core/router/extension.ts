import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { DaemonExtension } from '../extension.ts';
import type { CallInterceptor } from '../server/tool-registry.ts';
import { createRouter } from './router.ts';

/**
 * A failed route is an `isError` result, so a route of a route reports
 * `tool_error` one hop up (RES-21). The tool throws a ToolError
 * whose details hold the RouteResult; this lifts `ok`, `error_class` and
 * `duration_ms` next to `error`/`message`, so the structured content is both
 * the error convention of docs/ecosystem.md §5 and a valid failed RouteResult.
 */
export const liftRouteFailure: CallInterceptor = async (tool, _args, _info, run) => {
  const res = await run();
  if (tool.name !== 'route' || !res.isError) return res;
  const content = res.structuredContent as Record<string, unknown> | undefined;
  const details = content?.details as Record<string, unknown> | undefined;
  if (!details || typeof details !== 'object' || details.ok !== false) return res;
  const { error: _e, message: _m, ...rest } = details;
  const merged = { ...rest, ...content };
  return { ...res, structuredContent: merged, content: [{ type: 'text', text: JSON.stringify(merged) }] } satisfies CallToolResult;
};

/**
 * The router as a daemon extension, loaded only on the switchboard: the
 * butler that has no `switchboard.url` (it is the switchboard) and whose
 * database holds `butler_registry` (its migrations created the registry). On
 * any other butler `start` contributes nothing. Exposes `services.router`;
 * `close()` returns the number of cached clients closed (`butler.shutdown
 * clients_closed`).
 */
export const routerExtension: DaemonExtension = {
  name: 'router',
  async start(ctx) {
    if (ctx.config.switchboard.url) return;
    const { rows } = await ctx.db.query<{ present: boolean }>(`SELECT to_regclass('butler_registry') IS NOT NULL AS present`);
    if (!rows[0]?.present) return;
    const idle = Number(ctx.env.BUTLERS_ROUTER_IDLE_PING_MS);
    const router = createRouter({
      db: ctx.db,
      log: ctx.log,
      settings: ctx.config.switchboard,
      clientName: `butler-${ctx.info.butler}-router`,
      version: ctx.info.version,
      ...(Number.isFinite(idle) && idle > 0 ? { idlePingMs: idle } : {}),
    });
    return { services: { router }, intercept: liftRouteFailure, close: () => router.close() };
  },
};
