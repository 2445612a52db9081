import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { ButlerConfig } from './config/schema.ts';
import type { Redactor } from './logging/redactor.ts';
import type { ModuleState } from './modules/types.ts';
import type { CallInterceptor } from './server/tool-registry.ts';
import type { SessionTokenRegistry } from './server/session-tokens.ts';
import type { ToolDef } from './tool.ts';

// The seam between the daemon and the parts that plug into it (spawner, router,
// telemetry). It lives in core so those parts never import the daemon.

/** Facts about the running daemon that `status` reports; `modules` and `toolNames` are filled during startup. */
export interface DaemonInfo {
  butler: string;
  pid: number;
  port: number;
  endpointUrl: string;
  version: string;
  startedAt: Date;
  config: ButlerConfig;
  modules: Record<string, ModuleState>;
  toolNames: () => string[];
}

/** What an extension sees when the daemon starts it (after modules, before tools are registered). */
export interface ExtensionContext {
  config: ButlerConfig;
  rosterDir: string;
  claudeMd: string;
  db: Pool;
  log: Logger;
  redactor: Redactor;
  tokens: SessionTokenRegistry;
  info: DaemonInfo;
  /** Shared with every tool as `ctx.services`; extensions add theirs (spawner, router, scheduler …). */
  services: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
}

/** What an extension contributes. `close` runs at shutdown after in-flight work drained. */
export interface ExtensionResult {
  tools?: ToolDef[];
  services?: Record<string, unknown>;
  intercept?: CallInterceptor;
  /** Returns a count for the shutdown line (e.g. MCP clients closed by the router). */
  close?: () => Promise<number | void>;
}

/**
 * A later part of the daemon (spawner with `trigger`/`tick`, the switchboard
 * router, telemetry) plugs in here without touching the startup sequence.
 */
export interface DaemonExtension {
  name: string;
  start(ctx: ExtensionContext): Promise<ExtensionResult | void>;
}
