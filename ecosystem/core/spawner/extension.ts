import path from 'node:path';
import type { DaemonExtension, ExtensionContext } from '../extension.ts';
import { defineTool, type ToolDef } from '../tool.ts';
import { runRoutingTask } from './heartbeat.ts';
import { SensitivityMap } from './sensitivity.ts';
import { Spawner } from './spawner.ts';
import { SwitchboardClient } from './switchboard-client.ts';
import { runTick, type TickDeps, type TickResult } from './tick.ts';
import { createTriggerTool } from './trigger-tool.ts';

// The heartbeat's route calls wait for the target's session; the switchboard enforces route_timeout_ms itself.
const ROUTE_CALL_MARGIN_MS = 15_000;

/**
 * The spawner (services.spawner), the `trigger` and `tick` tools, the
 * heartbeat's routing tasks and the optional internal tick timer.
 */
export const spawnerExtension: DaemonExtension = {
  name: 'spawner',
  async start(ctx: ExtensionContext) {
    const { config, log } = ctx;
    const butler = config.butler.name;
    const sensitivity = new SensitivityMap();
    const spawner = new Spawner({
      config, directUrl: ctx.info.endpointUrl, claudeMdPath: resolveClaudeMd(ctx), db: ctx.db, log, redactor: ctx.redactor,
      tokens: ctx.tokens, env: ctx.env, modules: ctx.info.modules, sensitivity,
    });
    const switchboard = config.switchboard.url ? new SwitchboardClient(config.switchboard.url, `butler-${butler}-scheduler`) : null;

    const tick = (traceparent?: string): Promise<TickResult> => {
      const deps: TickDeps = { db: ctx.db, spawner, log, traceparent };
      deps.route = (task, runId) => {
        if (!switchboard) throw new Error(`task ${task.name} routes to "${task.target_butler}" but switchboard.url is not set; set it in butler.toml or the overlay`);
        return runRoutingTask(
          { name: task.name, prompt: task.prompt, target: task.target_butler! },
          { client: switchboard, self: butler, runId, log, traceparent, callTimeoutMs: config.switchboard.route_timeout_ms + ROUTE_CALL_MARGIN_MS },
        );
      };
      return runTick(deps);
    };

    const tickTool: ToolDef = defineTool({
      name: 'tick',
      audience: 'operator',
      description:
        'Run every scheduled task of this butler that is due now, one after another, and return what ran. ' +
        'Tasks already running are skipped.\nUse when: the scheduler timer fires, or an operator advances the schedule.',
      input: {},
      handler: async (_args, tctx) => {
        const tp = (tctx.meta as { traceparent?: unknown }).traceparent;
        return tick(typeof tp === 'string' ? tp : undefined);
      },
    });

    const timer = config.scheduler.auto_tick ? startAutoTick(tick, config.scheduler.tick_interval_s * 1000, log) : null;
    return {
      tools: [createTriggerTool(spawner, config.runtime.timeout_s), tickTool],
      services: { spawner },
      intercept: sensitivity.intercept,
      close: async () => {
        timer?.stop();
        await spawner.close();
        return switchboard ? await switchboard.close() : undefined;
      },
    };
  },
};

function resolveClaudeMd(ctx: ExtensionContext): string {
  return ctx.claudeMd ? path.resolve(ctx.claudeMd) : path.join(ctx.rosterDir, 'CLAUDE.md');
}

/** The internal timer (`scheduler.auto_tick`); a tick still running when the next is due is not doubled. */
function startAutoTick(tick: () => Promise<TickResult>, intervalMs: number, log: ExtensionContext['log']) {
  let running = false;
  const handle = setInterval(() => {
    if (running) return;
    running = true;
    tick()
      .then((r) => r.ran.length && log.info({ event: 'scheduler.auto_tick', ran: r.ran.map((x) => x.name) }, 'auto tick ran tasks'))
      .catch((err: unknown) => log.error({ event: 'scheduler.auto_tick_failed', error: (err as Error).message }, 'auto tick failed'))
      .finally(() => (running = false));
  }, intervalMs);
  handle.unref();
  return { stop: () => clearInterval(handle) };
}
