import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import type { Redactor } from './redactor.ts';

/** Options of the daemon logger; every line carries butler, pid and worker. */
export interface LoggerOptions {
  butler: string;
  level?: LevelWithSilent;
  worker?: string | number;
  redactor: Redactor;
  /** Defaults to stdout; tests pass a sink and read the JSON lines back. */
  destination?: DestinationStream;
}

/**
 * pino JSON lines with redaction at the source: every argument of every log
 * call goes through the redactor, so a secret value cannot reach a line even
 * when it hides inside an error message.
 */
export function createLogger(options: LoggerOptions): Logger {
  const { redactor } = options;
  const base: Record<string, unknown> = { butler: options.butler, pid: process.pid };
  if (options.worker !== undefined && options.worker !== '') base.worker = options.worker;
  return pino(
    {
      level: options.level ?? 'info',
      base,
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a) => redactor.redact(a)) as Parameters<typeof method>;
          return method.apply(this, clean);
        },
      },
    },
    options.destination ?? stdoutDestination(),
  );
}

let stdout: DestinationStream | undefined;
/**
 * The process's one stdout destination, shared by every logger (the
 * bootstrap one and the configured one), so lines keep their order.
 * Asynchronous: a line is written by a libuv thread right after the call
 * instead of blocking the event loop on a pipe write (about 0.3 ms per line on
 * 2 cores, on the path of every tool call); lines of one tick are written
 * together. pino flushes it synchronously when the process exits.
 */
function stdoutDestination(): DestinationStream {
  return (stdout ??= pino.destination({ dest: 1, sync: false }));
}

/** Process-wide fallback used before the config (and so the level) is known. */
export function bootstrapLogger(butler: string, redactor: Redactor, env: NodeJS.ProcessEnv = process.env): Logger {
  return createLogger({ butler, redactor, worker: env.BUTLERS_WORKER, level: 'info' });
}
