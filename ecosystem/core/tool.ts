import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { z } from 'zod';

/**
 * Who may list and call a tool. Requests that carry a session token
 * (`x-butlers-session-token`) see only `all` tools; operator tools are
 * "tool not found" for them (docs/ecosystem.md §5).
 */
export type Audience = 'all' | 'operator';

/**
 * Whether a session is offered an `all` tool. `offered` (the default): every
 * session of the butler lists it. `opt_in`: only when the butler names it in
 * `runtime.session_tools` — for tools most sessions never need (reports for
 * operators, changing the butler's own schedule), so they do not fill every
 * model request. Operator callers always see every tool.
 */
export type SessionOffer = 'offered' | 'opt_in';

/** Per-call context handed to every tool handler by the butler's MCP server. */
export interface ToolContext {
  /** The butler serving the call (folder name). */
  butler: string;
  /** The butler's own pool, connected as its own role to its own database. */
  db: Pool;
  /** Session id mapped from the caller's session token; null for operator callers. */
  sessionId: string | null;
  /** Child logger bound to butler, tool and (when known) session id, trace id. */
  log: Logger;
  /** The validated, merged configuration (defaults < butler.toml < overlay < env). */
  config: unknown;
  /** `_meta` of the incoming request (traceparent, tracestate, butlers/route_chain …). */
  meta: Record<string, unknown>;
  /** Aborted when the client goes away or the daemon shuts down. */
  signal: AbortSignal;
  /**
   * Daemon services a tool may need (spawner, scheduler, registry client …).
   * Keyed by name so later services join without changing this interface.
   */
  services: Record<string, unknown>;
}

/** A tool definition: roster tools, module tools and core tools all use this shape. */
export interface ToolDef<S extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  /** What it does, ending with a `Use when:` list (and `Kinds:` where it records kinds of things). */
  description: string;
  audience?: Audience;
  /** Whether sessions are offered it without `runtime.session_tools` naming it (default `offered`). */
  session?: SessionOffer;
  /** Set for module tools: the module that registered it (span attribute `tool.module`). */
  module?: string;
  /** zod raw shape of the arguments; published to clients as JSON Schema. */
  input: S;
  /** Argument names whose values are sensitive: redacted as `***` in logs, spans, sessions.tool_calls. */
  sensitive?: string[];
  // Method syntax on purpose: parameters are then checked bivariantly, so a
  // ToolDef<{ name: ZodString }> is assignable to ToolDef (ToolDef[] lists need no casts).
  handler(args: z.objectOutputType<S, z.ZodTypeAny>, ctx: ToolContext): Promise<unknown>;
}

/** Identity helper that keeps the argument types of `handler` inferred from `input`. */
export function defineTool<S extends z.ZodRawShape>(def: ToolDef<S>): ToolDef<S> {
  return def;
}

/**
 * A tool failure with a stable code. The server turns it into an `isError`
 * result whose structured content is `{ error: code, message, details? }`;
 * the daemon keeps running.
 */
export class ToolError extends Error {
  readonly code: string;
  readonly details?: unknown;
  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ToolError';
    this.code = code;
    this.details = details;
  }
}
