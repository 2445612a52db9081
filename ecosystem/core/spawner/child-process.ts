import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import type { RuntimeInput, RuntimeResult } from '../../runtime/protocol.ts';

/** How the session process ended. */
export interface ChildOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why the spawner killed it, if it did. */
  killed: 'timeout' | 'shutdown' | null;
  /** Wall time from `start()` to exit. */
  wallMs: number;
  /** From the first stdout byte (the result line) to the process's exit, and from exit to its pipes' close; null when not seen. */
  resultToExitMs: number | null;
  exitToCloseMs: number | null;
  /** The parsed result line, or null when none could be read. */
  result: RuntimeResult | null;
  /** Why there is no result (no line, not JSON, spawn failure). */
  problem: string | null;
  stderrTail: string;
}

/** A spawned, not yet started session process. */
export interface ChildHandle {
  pid: number | undefined;
  /** Hands over the prompts and starts the timeout clock. */
  start(input: RuntimeInput): void;
  /** SIGTERM now, SIGKILL after the grace (the shutdown path). */
  kill(reason: 'timeout' | 'shutdown'): void;
  done: Promise<ChildOutcome>;
}

export interface SpawnRuntimeOptions {
  entry: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  killGraceMs?: number;
  /** Receives the child's log lines (pino JSON on its stderr). */
  log: Logger;
}

const MAX_STDOUT = 64 * 1024 * 1024;

/**
 * Node flags of every session process. `--liftoff-only`: the Anthropic SDK
 * calls the model with Node's built-in fetch, whose HTTP parser is a
 * WebAssembly module; V8 compiles it at once with its baseline compiler and
 * then again with TurboFan on a background thread, and a process that exits
 * waits for that second compilation. Measured on a 2-core machine: 150-200 ms
 * between a session's result line and its exit, on every session, against
 * 7 ms with the baseline code only (docs/performance.md, "Session end").
 * A session parses a handful of HTTP responses; the optimised parser never
 * pays back.
 */
export const RUNTIME_NODE_FLAGS = ['--liftoff-only'];
const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * Spawns `process.execPath <entry> <argv>` with exactly `env` (no inherited
 * variable), waits for `start()` to pass the prompts on stdin, enforces the
 * timeout (SIGTERM, then SIGKILL after 5 s) and reads the single result line.
 */
export function spawnRuntime(o: SpawnRuntimeOptions): ChildHandle {
  const child = spawn(process.execPath, [...RUNTIME_NODE_FLAGS, o.entry, ...o.argv], { env: o.env, cwd: o.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderrTail = '';
  let pending = '';
  let killed: ChildOutcome['killed'] = null;
  let startedAt = performance.now();
  let spawnError: Error | null = null;
  let timer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  child.stdin.on('error', () => undefined);
  let firstOutAt: number | null = null;
  let exitAt: number | null = null;
  child.once('exit', () => (exitAt = performance.now()));
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    firstOutAt ??= performance.now();
    if (stdout.length < MAX_STDOUT) stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderrTail = (stderrTail + s).slice(-4096);
    pending += s;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) forwardLog(o.log, line);
  });

  const kill = (reason: 'timeout' | 'shutdown') => {
    if (killed || child.exitCode !== null || child.signalCode !== null) return;
    killed = reason;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), o.killGraceMs ?? 5000);
  };

  const done = new Promise<ChildOutcome>((resolve) => {
    child.once('error', (err) => (spawnError = err));
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      if (pending) forwardLog(o.log, pending);
      const closedAt = performance.now();
      const wallMs = Math.max(0, Math.round(closedAt - startedAt));
      const resultToExitMs = firstOutAt !== null && exitAt !== null ? Math.round(exitAt - firstOutAt) : null;
      const exitToCloseMs = exitAt !== null ? Math.round(closedAt - exitAt) : null;
      const { result, problem } = spawnError ? { result: null, problem: `spawn failed: ${spawnError.message}` } : parseResult(stdout);
      resolve({ exitCode, signal, killed, wallMs, resultToExitMs, exitToCloseMs, result, problem, stderrTail });
    });
  });

  return {
    pid: child.pid,
    start(input) {
      startedAt = performance.now();
      timer = setTimeout(() => kill('timeout'), o.timeoutMs);
      child.stdin.end(JSON.stringify(input));
    },
    kill,
    done,
  };
}

/** The last non-empty stdout line as a RuntimeResult. */
function parseResult(stdout: string): { result: RuntimeResult | null; problem: string | null } {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return { result: null, problem: 'the session process wrote no result line' };
  try {
    const value = JSON.parse(lines[lines.length - 1]) as RuntimeResult;
    if (typeof value !== 'object' || value === null || !Array.isArray(value.tool_calls)) return { result: null, problem: 'the result line is not a session result object' };
    return { result: value, problem: lines.length > 1 ? `the session process wrote ${lines.length} lines; the last was used` : null };
  } catch {
    return { result: null, problem: 'the result line is not JSON' };
  }
}

function forwardLog(log: Logger, line: string): void {
  if (!line.trim()) return;
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    log.debug({ event: 'runtime.stderr', line: line.slice(0, 2000) }, 'session process stderr');
    return;
  }
  const { level, time: _t, butler: _b, pid, msg, ...rest } = rec;
  const method = LEVELS[Number(level)] ?? 'info';
  log[method]({ ...rest, runtime_pid: pid }, typeof msg === 'string' ? msg : 'session process log');
}
