import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DAEMON_NODE_FLAGS } from '../../ecosystem/daemon/node-flags.ts';
import type { RunLog } from '../run-log.ts';

const TAIL = 40;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Kills every daemon this process started when it exits, however it exits,
 * so a crashed worker never leaves butlers holding its ports.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

/**
 * Extra Node flags for every daemon, from E2E_NODE_ARGS (whitespace-separated),
 * for flags Node refuses in NODE_OPTIONS, e.g. profiling:
 * `E2E_NODE_ARGS="--cpu-prof --cpu-prof-dir=.tmp/prof"` (docs/performance.md).
 */
export function daemonNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.E2E_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

export interface DaemonProcessOptions {
  name: string;
  entry: string;
  /** The daemon's arguments, or 'warm': a spare that waits for them on stdin (see launch()). */
  args: string[] | 'warm';
  env: Record<string, string>;
  log: RunLog;
  echo?: boolean;
}

/** One daemon child: its pid, the tail of its output, and a promise of its exit. */
export class DaemonProcess {
  private label: string;
  private source: { butler: string; pid: number | undefined };
  private pending: boolean;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private tail: string[] = [];
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private watchers: Array<{ needle: string; wake: () => void }> = [];
  private seen = new Set<string>();

  constructor(opts: DaemonProcessOptions) {
    installExitHook();
    this.label = opts.name;
    this.pending = opts.args === 'warm';
    this.child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, ...daemonNodeArgs(), opts.entry, ...(opts.args === 'warm' ? ['--warm'] : opts.args)], {
      env: opts.env,
      stdio: [this.pending ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    live.add(this.child);
    // A spare that died unused must not take the harness down with EPIPE.
    this.child.stdin?.on('error', () => {});
    const source = (this.source = { butler: opts.name, pid: this.child.pid });
    for (const [stream, name] of [
      [this.child.stdout!, 'stdout'],
      [this.child.stderr!, 'stderr'],
    ] as const) {
      createInterface({ input: stream }).on('line', (line) => {
        this.tail.push(line);
        if (this.tail.length > TAIL) this.tail.shift();
        if (this.watchers.length) this.wakeWatchers(line);
        opts.log.childLine(source, line, name);
        if (opts.echo) process.stderr.write(`[${this.label}] ${line}\n`);
      });
    }
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exitInfo) return;
        this.exitInfo = { code, signal };
        live.delete(this.child);
        resolve(this.exitInfo);
      };
      this.child.once('exit', done);
      this.child.once('error', (err) => {
        this.tail.push(`spawn error: ${err.message}`);
        done(null, null);
      });
    });
  }

  get name(): string {
    return this.label;
  }

  /** True for a warm spare that has not been launched yet. */
  get spare(): boolean {
    return this.pending;
  }

  /**
   * Hands a warm spare its butler: the arguments it would have been spawned
   * with, as one JSON line on stdin, which is then closed.
   */
  launch(name: string, args: string[]): void {
    if (!this.pending) throw new Error(`${this.label} (pid ${this.pid}) is not a warm spare`);
    if (!this.alive) {
      const how = this.exitInfo?.signal ? `signal ${this.exitInfo.signal}` : `code ${this.exitInfo?.code}`;
      const last = this.tail.at(-1);
      throw new Error(
        `the warm spare (pid ${this.pid}) meant for ${name} exited (${how}) before it was handed its butler${last ? `; its last line: ${last}` : ''}; ` +
          'run again, or set E2E_WARM_SPARES=0 to spawn each daemon directly',
      );
    }
    this.pending = false;
    this.label = name;
    this.source.butler = name;
    this.child.stdin!.end(`${JSON.stringify({ argv: args })}\n`);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  get exit() {
    return this.exitInfo;
  }

  /**
   * Resolves once an output line containing `needle` has been seen (at once if
   * one already was), or after `maxWaitMs` either way. Readiness probes use it
   * to wake when the daemon logs `butler.ready` instead of polling blindly; a
   * daemon that never logs it is still probed, only less often.
   */
  lineSeen(needle: string, maxWaitMs: number): Promise<boolean> {
    if (this.seen.has(needle)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = {
        needle,
        wake: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.watchers = this.watchers.filter((x) => x !== w);
        resolve(false);
      }, maxWaitMs);
      this.watchers.push(w);
    });
  }

  private wakeWatchers(line: string): void {
    const hit = this.watchers.filter((w) => line.includes(w.needle));
    if (!hit.length) return;
    for (const w of hit) this.seen.add(w.needle);
    this.watchers = this.watchers.filter((w) => !hit.includes(w));
    for (const w of hit) w.wake();
  }

  logTail(): string[] {
    return [...this.tail];
  }

  /** Rejects once the process has exited: raced against readiness checks. */
  exitedAsError(): Promise<never> {
    return this.exited.then(({ code, signal }) => {
      const last = this.tail.slice(-TAIL);
      // The daemon's own sentence for why it stopped, in plain text first; the raw lines follow.
      const reason = startupFailure(last);
      throw new Error(
        `${this.name} exited during startup (${signal ? `signal ${signal}` : `exit code ${code}`}) ` +
          `before it became ready${reason ? `: ${reason}` : ''}\nlast ${last.length} log lines of ${this.name}:\n${last.join('\n')}`,
      );
    });
  }

  signal(sig: NodeJS.Signals): void {
    if (this.alive) this.child.kill(sig);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([this.exited, timer])) === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** The `msg` of the last `butler.startup_failed` JSON line, if the tail holds one. */
export function startupFailure(lines: string[]): string | null {
  for (const line of [...lines].reverse()) {
    try {
      const parsed = JSON.parse(line) as { event?: string; msg?: string };
      if (parsed.event === 'butler.startup_failed' && typeof parsed.msg === 'string') return parsed.msg;
    } catch {
      /* not a JSON line */
    }
  }
  return null;
}
