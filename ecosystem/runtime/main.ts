import { format } from 'node:util';
import { pino, type LevelWithSilent, type Logger } from 'pino';
import { createLogger } from '../core/logging/logger.ts';
import { createRedactor } from '../core/logging/redactor.ts';
import { startSpan } from '../core/trace/span.ts';
import { initTelemetry, type Telemetry } from '../core/trace/telemetry.ts';
import { parseRuntimeArgs, parseRuntimeInput, readStdin } from './args.ts';
import { connectSessionServer, type SessionServer } from './mcp-connection.ts';
import { createMessagesClient, type MessagesClient } from './messages-client.ts';
import { runToolLoop } from './model-loop.ts';
import type { RuntimeArgs, RuntimeErrorCode, RuntimeResult } from './protocol.ts';

/**
 * The LLM session process (docs/ecosystem.md §11), started by the spawner as
 * `node dist/runtime-main.cjs <flags>` with the prompts on stdin. stdout carries
 * exactly one JSON line (the result); logs go to stderr.
 */

// Values of these variables are not secrets; every other variable the spawner passed is.
const PUBLIC_VARS = new Set(['ANTHROPIC_BASE_URL', 'TRACEPARENT', 'TRACESTATE', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_BSP_SCHEDULE_DELAY']);
const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

let written = false;
let telemetry: Telemetry | null = null;
let exitLog: Logger | null = null;
/** Writes the one result line and exits, after the session's spans are exported (bounded). */
function finish(result: RuntimeResult, code: number): void {
  if (written) return;
  written = true;
  // Tells dist/runtime-main.cjs (ecosystem/core/code-cache-loader.cjs) that this process ran a whole session: its code cache is worth keeping.
  if (code === 0) (globalThis as Record<symbol, unknown>)[Symbol.for('butlers.runtime.ready')] = true;
  const t0 = performance.now();
  void (telemetry?.shutdown(1500) ?? Promise.resolve()).then(() => {
    exitLog?.debug({ event: 'runtime.exiting', telemetry_flush_ms: Math.round(performance.now() - t0) }, 'spans exported; writing the result and exiting');
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(code));
  });
}

function failed(model: string, error: RuntimeErrorCode, message: string): RuntimeResult {
  return { output: '', tool_calls: [], usage: { input_tokens: null, output_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null }, api_requests: 0, model, error, error_message: message };
}

async function main(): Promise<void> {
  // Only the result line may reach stdout, whatever a library prints.
  for (const m of ['log', 'info', 'debug'] as const) console[m] = (...a: unknown[]) => void process.stderr.write(`${format(...a)}\n`);
  const redactor = createRedactor(Object.entries(process.env).filter(([k]) => !PUBLIC_VARS.has(k)).map(([, v]) => v));

  let args: RuntimeArgs;
  try {
    args = parseRuntimeArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`runtime: ${(err as Error).message}\n`);
    return finish(failed('unknown', 'invalid_input', (err as Error).message), 2);
  }
  const level = (LEVELS.has(args.logLevel) ? args.logLevel : 'info') as LevelWithSilent;
  const log = createLogger({ butler: args.butler, redactor, level, destination: pino.destination({ dest: 2, sync: true }) }).child({
    component: 'runtime', session_id: args.sessionId, ...(args.tag ? { tag: args.tag } : {}),
  });
  exitLog = log;
  process.on('uncaughtException', (err) => {
    log.error({ event: 'runtime.crashed', err }, 'unexpected error in the session process');
    finish(failed(args.model, 'runtime_error', redactor.redact((err as Error).message)), 1);
  });

  let input;
  try {
    input = parseRuntimeInput(await readStdin());
  } catch (err) {
    log.error({ event: 'runtime.invalid_input', error: (err as Error).message }, 'cannot read the prompts from stdin');
    return finish(failed(args.model, 'invalid_input', (err as Error).message), 2);
  }

  // A daemon killed with SIGKILL cannot kill us: once orphaned, stop instead of working for nobody.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      log.warn({ event: 'runtime.orphaned' }, 'the spawning daemon is gone; exiting');
      process.exit(3);
    }
  }, 1000).unref();

  const double = !!process.env.ANTHROPIC_BASE_URL;
  telemetry = initTelemetry(`butler-${args.butler}-session`);
  const session = startSpan('runtime.session', process.env.TRACEPARENT, {
    'session.id': args.sessionId, 'session.kind': args.kind, 'llm.model': args.model, 'butler.name': args.butler,
  });
  log.info({ event: 'runtime.started', kind: args.kind, model: args.model, mode: double ? 'double' : 'live', trace_id: session.context.traceId, api_key_present: !!process.env.ANTHROPIC_API_KEY }, 'session process started');

  // The butler answers initialize and tools/list on its own core while this
  // one loads what the first model request needs: fetch's classes (Node loads
  // its HTTP client on first use, about 30 ms here) and the Anthropic client.
  const connecting = connectSessionServer(args.mcpConfig, `butler-${args.butler}-session`, '1').then(
    (server) => ({ ok: true as const, server }),
    (err: unknown) => ({ ok: false as const, err: err as Error }),
  );
  void globalThis.Headers;
  void globalThis.Response;
  let anthropic: MessagesClient | null = null;
  let anthropicError: Error | null = null;
  try {
    anthropic = createMessagesClient({
      apiKey: process.env.ANTHROPIC_API_KEY,
      baseURL: process.env.ANTHROPIC_BASE_URL || undefined,
      maxRetries: 2,
      defaultHeaders: double ? attribution(args) : undefined,
      logger: sdkLogger(log),
      logLevel: 'warn',
      // The SDK's own spans would start from OpenTelemetry's active context, which this
      // process never sets (spans carry their parents explicitly, core/trace/span.ts):
      // each model request became a one-span trace of its own. llm.request (model-loop.ts)
      // is the request's span, in the session's trace.
      openTelemetry: { traces: false, propagation: false },
    });
  } catch (err) {
    anthropicError = err as Error;
  }

  const connected = await connecting;
  if (!connected.ok) {
    const message = redactor.redact(connected.err.message);
    log.error({ event: 'runtime.mcp_connect_failed', error: message }, 'cannot reach the butler MCP server');
    session.end({ error: 'mcp_error' });
    return finish(failed(args.model, 'mcp_error', message), 1);
  }
  const server: SessionServer = connected.server;
  log.debug({ event: 'runtime.tools_listed', server: server.name, tools: server.tools.map((t) => t.name) }, 'tools listed');
  if (!anthropic) {
    await server.close();
    return finish(failed(args.model, 'authentication_error', redactor.redact(anthropicError?.message ?? 'the Anthropic client could not be created')), 1);
  }

  const result = await runToolLoop({ args, input, anthropic, server, log, session });
  await server.close();
  session.setAttributes({ 'session.api_requests': result.api_requests, 'session.tool_calls': result.tool_calls.length });
  session.end(result.error ? { error: result.error } : undefined);
  if (result.error_message) result.error_message = redactor.redact(result.error_message);
  log.info(
    { event: 'runtime.finished', error: result.error, api_requests: result.api_requests, tool_calls: result.tool_calls.length, ...result.usage },
    result.error ? `session process failed: ${result.error}` : 'session process finished',
  );
  finish(result, result.error ? 1 : 0);
}

/** Attribution headers for the double's fault matching and request log (double mode only). */
function attribution(a: RuntimeArgs): Record<string, string> {
  return {
    'x-butlers-butler': a.butler,
    'x-butlers-session-id': a.sessionId,
    'x-butlers-session-kind': a.kind,
    ...(a.tag ? { 'x-butlers-tag': a.tag } : {}),
  };
}

function sdkLogger(log: Logger) {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, ...rest: unknown[]) =>
    log[level]({ event: 'runtime.sdk', detail: rest.length ? format(...rest) : undefined }, message);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

void main().catch((err: unknown) => {
  process.stderr.write(`runtime: ${(err as Error)?.stack ?? String(err)}\n`);
  finish(failed('unknown', 'runtime_error', String((err as Error)?.message ?? err)), 1);
});
