import { parseArgs } from 'node:util';
import { StartupError } from '../core/startup-error.ts';
import { startDaemon, type DaemonHandle, type StartDaemonOptions } from './daemon.ts';
import { awaitLaunch, launchArgs } from './warm.ts';

/**
 * `node dist/daemon.mjs --roster roster/<name> [--overlay file.toml]
 *  [--port N] [--log-level L] [--db-name D] [--migrate-only]`, or `node dist/daemon.mjs --warm`
 *  with those arguments sent later as one JSON line on stdin.
 */
async function main(): Promise<void> {
  let argv = process.argv.slice(2);
  let spare: StartDaemonOptions['spare'];
  if (argv.length === 1 && argv[0] === '--warm') {
    // A warm spare: code loaded, waiting for its real arguments (see warm.ts).
    const loadedAt = performance.now();
    const cpu = process.cpuUsage();
    const line = await awaitLaunch();
    spare = { waitMs: Math.round(performance.now() - loadedAt), loadCpuMs: Math.round((cpu.user + cpu.system) / 1000) };
    if (line === null) process.exit(0);
    try {
      argv = launchArgs(line);
    } catch (err) {
      return fail(`--warm: ${(err as Error).message}`);
    }
  }
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    return fail(`${(err as Error).message}; usage: node dist/daemon.mjs --roster roster/<name> [--overlay overlay.toml]`);
  }
  if (!args.roster) return fail('--roster is required; usage: node dist/daemon.mjs --roster roster/<name> [--overlay overlay.toml]');

  let handle: DaemonHandle | null = null;
  process.on('uncaughtException', (err) => report('process.uncaught_exception', err));
  process.on('unhandledRejection', (err) => report('process.unhandled_rejection', err));
  function report(event: string, err: unknown) {
    // Tool errors are results; anything reaching here is logged and the daemon lives on.
    if (handle) handle.log.error({ event, err }, 'unexpected error outside a tool call');
    else process.stderr.write(`${event}: ${(err as Error)?.stack ?? String(err)}\n`);
  }

  if (args['migrate-only']) {
    try {
      await startDaemon({
        rosterDir: args.roster,
        overlayPath: args.overlay,
        cli: { port: args.port, 'log-level': args['log-level'], 'db-name': args['db-name'] },
        migrateOnly: true,
      });
    } catch (err) {
      if (!(err instanceof StartupError)) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    }
    process.exit(0);
  }
  try {
    handle = await startDaemon({
      rosterDir: args.roster,
      overlayPath: args.overlay,
      cli: { port: args.port, 'log-level': args['log-level'], 'db-name': args['db-name'] },
      spare,
      telemetry: true,
    });
  } catch (err) {
    // startDaemon already logged butler.startup_failed.
    if (!(err instanceof StartupError)) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  }
  // Tells dist/daemon.mjs (ecosystem/core/code-cache-loader.cjs) that this process ran a real start-up: its code cache is worth keeping.
  (globalThis as Record<symbol, unknown>)[Symbol.for('butlers.daemon.ready')] = true;
  const stop = (signal: string) => {
    // A second signal while draining means "now".
    if (stopping) process.exit(0);
    stopping = true;
    handle!.close(signal).then(
      () => process.exit(0),
      (err: unknown) => (report('butler.shutdown_failed', err), process.exit(1)),
    );
  };
  let stopping = false;
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      roster: { type: 'string' },
      overlay: { type: 'string' },
      port: { type: 'string' },
      'log-level': { type: 'string' },
      'db-name': { type: 'string' },
      'migrate-only': { type: 'boolean' },
    },
    strict: true,
  }).values;
}

function fail(message: string): void {
  process.stdout.write(`${JSON.stringify({ level: 50, time: new Date().toISOString(), pid: process.pid, event: 'butler.startup_failed', phase: 'config', error: message, msg: message })}\n`);
  process.exit(2);
}

void main();
