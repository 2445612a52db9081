import { defineTool, type ToolDef } from '../core/tool.ts';
import type { ButlerConfig } from '../core/config/schema.ts';
import { poolStats } from '../core/db/pool.ts';
import type { DaemonInfo } from '../core/extension.ts';

export type { DaemonInfo };


/** What the spawner reports once it exists (it arrives with a later part of the daemon). */
export interface SpawnerStatus {
  busy: boolean;
  queue_depth: number;
  current_session_id: string | null;
  model: string;
  mode: string;
}

interface StatusServices {
  spawner?: { status(): SpawnerStatus };
  router?: { status(): { cached_clients: number } };
}

/** The `status` core tool (docs/ecosystem.md §6). */
export function createStatusTool(info: DaemonInfo): ToolDef {
  // The last database probe; startup proved the database, and no task is known before a probe.
  let last = { healthy: true, tasks: 0 };
  return defineTool({
    name: 'status',
    // Daemon health for operators and the router's probes (which call without a session token); sessions opt in.
    session: 'opt_in',
    description:
      'Report this butler\'s health: identity, uptime, modules, database pool, spawner, scheduler and approval gates.\n' +
      'Use when: is the butler up; check health or status; which modules are active.',
    input: {},
    handler: async (_args, ctx) => {
      const services = ctx.services as StatusServices;
      const { config } = info;
      // The pool as the request found it, read before this call's own probe
      // can change it.
      const pool = poolStats(ctx.db);
      // With every connection busy the probe would queue behind tool calls
      // (for up to acquire_timeout_ms): status answers at once instead, with
      // the last probe's result, and says it did not probe.
      const saturated = pool.size >= pool.max && pool.idle === 0;
      if (!saturated) {
        // One round trip when all is well: the task count proves the database
        // too. Only when it fails does a bare SELECT 1 tell a sick database
        // (unhealthy) from a missing table (healthy, 0 tasks).
        const tasks = await ctx.db
          .query<{ n: number }>('SELECT count(*)::int AS n FROM scheduled_tasks')
          .then((r) => r.rows[0]?.n ?? 0)
          .catch(() => null);
        if (tasks !== null) last = { healthy: true, tasks };
        else {
          const healthy = await ctx.db
            .query('SELECT 1')
            .then(() => true)
            .catch(() => false);
          last = { healthy, tasks: 0 };
        }
      }
      const { healthy, tasks } = last;
      const registered = new Set(info.toolNames());
      const gates = config.approval_gates;
      const result: Record<string, unknown> = {
        butler: info.butler,
        pid: info.pid,
        port: info.port,
        endpoint_url: info.endpointUrl,
        version: info.version,
        daemon: {
          started_at: info.startedAt.toISOString(),
          uptime_seconds: (Date.now() - info.startedAt.getTime()) / 1000,
        },
        modules: info.modules,
        db: { name: config.db.name, healthy, pool, ...(saturated ? { probe: 'skipped: every pooled connection is busy; healthy is the last probe\'s' } : {}) },
        // Until the spawner is wired in, an idle spawner is the truth: nothing can run a session.
        spawner: services.spawner?.status() ?? {
          busy: false,
          queue_depth: 0,
          current_session_id: null,
          model: config.runtime.model,
          mode: process.env.ANTHROPIC_BASE_URL ? 'double' : 'live',
        },
        scheduler: { auto_tick: config.scheduler.auto_tick, tasks },
        approvals: {
          mode: gates.mode,
          gated_tools:
            gates.mode === 'none'
              ? []
              : gates.gated_tools.filter((g) => g.approval_mode !== 'none' && registered.has(g.tool)).map((g) => g.tool),
        },
      };
      if (services.router) result.router = services.router.status();
      return result;
    },
  });
}
