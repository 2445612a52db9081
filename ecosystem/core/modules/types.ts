import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ToolDef } from '../tool.ts';

/** A credential a module reads from the environment; presence is logged as a boolean, never the value. */
export interface CredentialSpec {
  env: string;
  /** When set, a present value that does not match is "malformed". */
  pattern?: RegExp;
  /** Human description of the expected format, used in the failure message. */
  format?: string;
}

/** What a module's startup hook and tool factory receive. */
export interface ModuleContext {
  butler: string;
  db: Pool;
  log: Logger;
  /** The module's own validated config table (`[modules.<m>]`). */
  config: Record<string, unknown>;
  /** Credential values by variable name (all present and well-formed when the hook runs). */
  credentials: Record<string, string>;
}

/**
 * A module: optional capability of a butler, loaded in dependency order and
 * degraded in isolation (docs/ecosystem.md §9). Migrations live in
 * `ecosystem/modules/<name>/migrations/`.
 */
export interface ModuleDef {
  name: string;
  dependsOn: string[];
  credentials: CredentialSpec[];
  /** Module keys besides `enabled`; unknown keys are config errors. */
  config: z.ZodRawShape;
  /** Throws when the module cannot work here (phase `startup`). */
  startup?: (ctx: ModuleContext) => Promise<void>;
  tools: (ctx: ModuleContext) => ToolDef[];
}

export type ModuleState =
  | { status: 'active'; depends_on: string[] }
  | { status: 'disabled'; depends_on: string[] }
  | { status: 'failed'; phase: 'dependency' | 'credentials' | 'migration' | 'startup'; error: string; depends_on: string[] };
