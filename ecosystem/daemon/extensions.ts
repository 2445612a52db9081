import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { ButlerConfig } from '../core/config/schema.ts';
import type { Redactor } from '../core/logging/redactor.ts';
import type { CallInterceptor } from '../core/server/tool-registry.ts';
import type { SessionTokenRegistry } from '../core/server/session-tokens.ts';
import type { ToolDef } from '../core/tool.ts';
import type { DaemonInfo } from './status-tool.ts';
import { spawnerExtension } from '../core/spawner/index.ts';
import { routerExtension } from '../core/router/index.ts';

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

/**
 * Extensions every daemon starts: the spawner (trigger, tick, sessions) on
 * every butler; the router only switches itself on in the switchboard.
 */
export const defaultExtensions: DaemonExtension[] = [spawnerExtension, routerExtension];
