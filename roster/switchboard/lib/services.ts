import { type Router, type SpawnerService as DaemonSpawner, type ToolContext, ToolError } from '@butlers/framework';

/** What the pipeline needs of `ctx.services.spawner` (docs/ecosystem.md §10). */
export type SpawnerService = Pick<DaemonSpawner, 'run'>;

/** The `[switchboard]` settings the pipeline tools read. */
export interface PipelineSettings {
  synthesis: boolean;
  route_timeout_ms: number;
}

export function routerOf(ctx: ToolContext): Router {
  const router = ctx.services.router as Router | undefined;
  if (!router) {
    throw new ToolError(
      'router_unavailable',
      `the router is not loaded on ${ctx.butler}: it runs only on the switchboard (no switchboard.url, butler_registry migrated) with the router extension enabled`,
    );
  }
  return router;
}

/** The spawner, or null when the daemon runs without one (classification then falls back). */
export function spawnerOf(ctx: ToolContext): SpawnerService | null {
  const s = ctx.services.spawner as Partial<SpawnerService> | undefined;
  return s && typeof s.run === 'function' ? (s as SpawnerService) : null;
}

export function settingsOf(ctx: ToolContext): PipelineSettings {
  const sb = (ctx.config as { switchboard?: Partial<PipelineSettings> } | undefined)?.switchboard ?? {};
  return { synthesis: sb.synthesis === true, route_timeout_ms: sb.route_timeout_ms ?? 120_000 };
}

/** Only defined values: optional tool arguments must be absent, not null. */
export function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}
