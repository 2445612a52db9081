import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { ToolContext, ToolDef } from '../tool.ts';
import { toolInputJsonSchema } from '../json-schema.ts';
import type { Redactor } from '../logging/redactor.ts';
import { startSpan } from '../trace/span.ts';
import { asToolError, errorResult, invalidArguments, successResult } from './tool-result.ts';
import { asDatabaseError } from '../db/errors.ts';

/** Who is calling: an operator (no token) or a session (token mapped to its id). */
export interface Caller {
  sessionId: string | null;
}

/** Per-call inputs the transport layer knows. */
export interface CallInfo extends Caller {
  meta: Record<string, unknown>;
  signal: AbortSignal;
}

/** Wraps every call (telemetry spans hook in here); must call `run` once. */
export type CallInterceptor = (tool: ToolDef, args: unknown, info: CallInfo, run: () => Promise<CallToolResult>) => Promise<CallToolResult>;

export interface ToolRegistryOptions {
  butler: string;
  /** Builds the context shared by every call; the registry adds the per-call fields. */
  context: () => Omit<ToolContext, 'sessionId' | 'meta' | 'signal' | 'log'>;
  log: Logger;
  redactor: Redactor;
  intercept?: CallInterceptor;
  /** Opt-in tools sessions are offered too (`runtime.session_tools`). */
  sessionTools?: readonly string[];
}

interface Entry {
  def: ToolDef;
  schema: z.ZodObject<z.ZodRawShape>;
  listed: Tool;
}

/**
 * The tools one butler serves: JSON Schemas computed once, audience applied
 * per caller, arguments validated, every outcome turned into a
 * CallToolResult. A throwing handler never escapes as an exception.
 */
export class ToolRegistry {
  private readonly entries = new Map<string, Entry>();
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: ToolRegistryOptions) {}

  /** Adds tools; a duplicate name is an error naming both sources. */
  add(tools: ToolDef[], source: string): void {
    for (const def of tools) {
      const existing = this.entries.get(def.name);
      if (existing) throw new Error(`tool ${def.name} from ${source} clashes with one already registered${existing.def.module ? ` by module ${existing.def.module}` : ''}; rename it`);
      const schema = z.object(def.input);
      // Shared converter: it also publishes `examples`/`format` attached with withExamples/withFormat.
      const inputSchema = toolInputJsonSchema(def.input);
      const listed: Tool = { name: def.name, description: def.description, inputSchema: inputSchema as Tool['inputSchema'] };
      this.entries.set(def.name, { def, schema, listed });
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  get(name: string): ToolDef | undefined {
    return this.entries.get(name)?.def;
  }

  list(caller: Caller): Tool[] {
    return [...this.entries.values()].filter((e) => this.visible(e.def, caller)).map((e) => e.listed);
  }

  /**
   * Operators see every tool. A session sees `all` tools that are offered to
   * sessions: `offered` ones, and `opt_in` ones the butler named in
   * `runtime.session_tools`. What a session does not see it cannot call.
   */
  private visible(def: ToolDef, caller: Caller): boolean {
    if (caller.sessionId === null) return true;
    if ((def.audience ?? 'all') !== 'all') return false;
    return (def.session ?? 'offered') === 'offered' || (this.o.sessionTools ?? []).includes(def.name);
  }

  /** Calls currently running (shutdown waits for them). */
  get running(): number {
    return this.inFlight;
  }

  /** Resolves once no call is running, or after `timeoutMs`; true when idle. */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => (clearTimeout(timer), resolve(true)));
    });
  }

  /**
   * Runs a tool for a caller. Unknown tools and operator tools called by a
   * session are protocol errors ("tool not found"); everything else is a result.
   */
  async call(name: string, rawArgs: unknown, info: CallInfo): Promise<CallToolResult> {
    const entry = this.entries.get(name);
    if (!entry || !this.visible(entry.def, info)) throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
    const { def } = entry;
    const log = this.o.log.child({ tool: def.name, ...(info.sessionId ? { session_id: info.sessionId } : {}) });
    const started = performance.now();
    const redactedArgs = this.o.redactor.redactArgs(rawArgs ?? {}, def.sensitive);
    const argsJson = JSON.stringify(redactedArgs);
    // The debug line keeps small arguments as they are; a huge one (a 200 KB message body) is cut,
    // so one call cannot write a quarter of a megabyte to the run log.
    const loggedArgs = argsJson.length > LOG_ARGS_LIMIT ? { truncated: truncate(argsJson, LOG_ARGS_LIMIT), chars: argsJson.length } : redactedArgs;
    // The server span of this call (docs/ecosystem.md §15.2); the handler's meta continues from it.
    const span = startSpan(`tool:${def.name}`, typeof info.meta.traceparent === 'string' ? info.meta.traceparent : undefined, {
      'tool.name': def.name, 'tool.butler': this.o.butler, 'tool.module': def.module, 'tool.args': truncate(argsJson, ARGS_LIMIT),
      ...(info.sessionId ? { 'session.id': info.sessionId } : {}),
    }, { kind: 'server' });
    const callInfo: CallInfo = { ...info, meta: { ...info.meta, traceparent: span.traceparent } };
    this.inFlight++;
    try {
      const run = () => this.execute(entry, rawArgs ?? {}, callInfo, log);
      let result: CallToolResult;
      try {
        // Results carry no secret value either: an upstream API may echo a credential (a token in its URL) in an error.
        result = this.o.redactor.redact(this.o.intercept ? await this.o.intercept(def, rawArgs, callInfo, run) : await run());
      } catch (err) {
        span.setAttributes({ 'tool.result.status': 'error', 'tool.duration_ms': round1(performance.now() - started) });
        span.end({ error: this.o.redactor.redact((err as Error)?.message ?? String(err)) });
        if (err instanceof Error) err.message = this.o.redactor.redact(err.message);
        throw err;
      }
      const structured = result.structuredContent as { error?: string; message?: string } | undefined;
      span.setAttributes({ 'tool.result.status': result.isError ? 'error' : 'success', 'tool.duration_ms': round1(performance.now() - started) });
      span.end(result.isError ? { error: [structured?.error ?? 'error', structured?.message].filter(Boolean).join(': ') } : undefined);
      log.debug(
        {
          event: 'tool.call',
          args: loggedArgs,
          status: result.isError ? 'error' : 'success',
          error: result.isError ? structured?.error : undefined,
          duration_ms: Math.round((performance.now() - started) * 10) / 10,
          ...(def.module ? { module: def.module } : {}),
        },
        `tool ${def.name} ${result.isError ? 'failed' : 'succeeded'}`,
      );
      return result;
    } finally {
      if (--this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async execute(entry: Entry, rawArgs: unknown, info: CallInfo, log: Logger): Promise<CallToolResult> {
    const parsed = entry.schema.safeParse(rawArgs);
    if (!parsed.success) return errorResult(invalidArguments(entry.def.name, parsed.error));
    const ctx: ToolContext = { ...this.o.context(), sessionId: info.sessionId, meta: info.meta, signal: info.signal, log };
    try {
      return successResult(await entry.def.handler(parsed.data, ctx));
    } catch (err) {
      const known = asToolError(err);
      if (known) return errorResult(known);
      // A slow, busy or absent database is a condition the caller can act on, not a bug of the tool.
      const limits = (ctx.config as { db?: { statement_timeout_ms?: number; acquire_timeout_ms?: number } } | undefined)?.db;
      const db = asDatabaseError(err, { statementTimeoutMs: limits?.statement_timeout_ms, acquireTimeoutMs: limits?.acquire_timeout_ms });
      if (db) {
        log.warn({ event: 'tool.db_error', code: db.error, pg_code: (err as { code?: unknown }).code }, `tool ${entry.def.name}: ${db.error}`);
        return errorResult(db);
      }
      const e = err as Error & { code?: unknown };
      // The message may quote user content (a duplicate key, say); it goes to the caller and the debug line only.
      log.error(
        { event: 'tool.internal_error', error_class: e?.name ?? typeof err, code: typeof e?.code === 'string' ? e.code : undefined },
        `tool ${entry.def.name} threw an unexpected ${e?.name ?? 'error'}`,
      );
      log.debug({ event: 'tool.internal_error_detail', err }, 'unexpected tool error detail');
      return errorResult({ error: 'internal_error', message: this.o.redactor.redact(e?.message ?? String(err)) });
    }
  }
}

const ARGS_LIMIT = 2048;
/** Longest argument JSON a `tool.call` debug line holds whole. */
const LOG_ARGS_LIMIT = 4096;
const round1 = (ms: number) => Math.round(ms * 10) / 10;
const truncate = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
