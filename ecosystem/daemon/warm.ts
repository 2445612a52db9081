/**
 * Warm spares. A supervisor that knows it is about to start several daemons
 * can spawn `node dist/daemon.mjs --warm` early: the process loads the daemon
 * code (most of a daemon's start-up CPU), warms the lazily initialised parts
 * of the runtime that every butler uses, and then waits for one line on stdin,
 * `{"argv": ["--roster", "...", ...]}`, before it does anything butler
 * specific: reading config, touching a database, listening on a port.
 * The environment is the one the process was spawned with; nothing else
 * crosses stdin. End of stdin before that line means "not needed": the
 * spare exits quietly, so a dead supervisor never leaves spares behind.
 */
import { createInterface } from 'node:readline';

const MAX_LINE = 64 * 1024;

/** Resolves with the launch line, or null when stdin ends first. Warms the runtime meanwhile. */
export function awaitLaunch(input: NodeJS.ReadableStream = process.stdin): Promise<string | null> {
  setImmediate(prewarm);
  return new Promise((resolve) => {
    const rl = createInterface({ input });
    let done = false;
    const finish = (v: string | null) => {
      if (done) return;
      done = true;
      rl.close();
      // Stop reading: stdin must not keep the daemon's event loop busy or alive.
      (input as NodeJS.ReadStream).destroy?.();
      resolve(v);
    };
    rl.on('line', (line) => finish(line));
    rl.on('close', () => finish(null));
  });
}

/** The argv carried by a launch line; throws with a one-line reason when it is malformed. */
export function launchArgs(line: string): string[] {
  if (line.length > MAX_LINE) throw new Error(`launch line longer than ${MAX_LINE} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error('launch line is not JSON; expected {"argv": ["--roster", "<dir>", ...]}');
  }
  const argv = (parsed as { argv?: unknown })?.argv;
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) {
    throw new Error('launch line needs "argv": an array of strings');
  }
  if (argv.includes('--warm')) throw new Error('a launch line cannot ask for --warm again');
  return argv;
}

/**
 * Runtime pieces every butler initialises on its first use, paid for here
 * while the spare would otherwise idle: ICU's default locale (cron schedules
 * via luxon) and the WHATWG fetch implementation (registration and pg's
 * runtime probe both touch it).
 */
function prewarm(): void {
  try {
    new Intl.DateTimeFormat().resolvedOptions();
    void new Response(null).status;
  } catch {
    /* a warm-up only */
  }
}
