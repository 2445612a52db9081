import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunLog } from '../run-log.ts';
import { callToolOnce } from '../../contracts/mcp-call-once.ts';
import { newTraceparent, toOutcome } from '../mcp/client.ts';
import { DaemonProcess } from './daemon-process.ts';
import { mergeOverlay, writeOverlay, type Overlay } from './overlay.ts';
import { check, httpCheck, waitForAll, type ReadinessCheck, type ReadinessTimings } from './readiness.ts';

/** What the supervisor needs to run one butler. */
export interface DaemonSpec {
  /** Supervisor key: the butler name, or a unique key for ad-hoc instances. */
  name: string;
  /** The butler's own name when it differs from the key (ad-hoc instances). */
  daemonName?: string;
  rosterDir: string;
  port: number;
  /** URL written to the registry (a fault proxy may stand there later). */
  advertisedUrl: string;
  overlay: Overlay;
  env: Record<string, string>;
}

export interface StartOptions {
  env?: Record<string, string>;
  overlay?: Overlay;
  readinessTimeoutMs?: number;
  /** Skip the registry check (ad-hoc instances that register elsewhere or not at all). */
  skipRegistryCheck?: boolean;
}

export interface SupervisorOptions {
  runDir: string;
  daemonEntry: string;
  log: RunLog;
  /** Reads the endpoint URL the registry holds for a butler; undefined when absent. */
  registryLookup: (name: string) => Promise<string | undefined>;
  echo?: boolean;
}

/** Starts, stops, kills and restarts butler daemons, and waits until they are ready. */
export class Supervisor {
  private specs = new Map<string, DaemonSpec>();
  private procs = new Map<string, DaemonProcess>();
  private spares: Array<{ envKey: string; proc: DaemonProcess }> = [];

  constructor(private readonly opts: SupervisorOptions) {}

  define(spec: DaemonSpec): void {
    this.specs.set(spec.name, spec);
  }

  spec(name: string): DaemonSpec {
    const s = this.specs.get(name);
    if (!s) throw new Error(`unknown butler "${name}"; known: ${[...this.specs.keys()].join(', ')}`);
    return s;
  }

  pid(name: string): number | undefined {
    const p = this.procs.get(name);
    return p?.alive ? p.pid : undefined;
  }

  process(name: string): DaemonProcess | undefined {
    return this.procs.get(name);
  }

  /**
   * Spawns `count` warm spares with `env`: daemon processes that load their
   * code now and take a butler later (start() with the same environment
   * adopts one instead of spawning). Used at boot so code loading overlaps
   * with PostgreSQL starting; the boot order itself is unchanged.
   */
  warm(count: number, env: Record<string, string>): void {
    const envKey = JSON.stringify(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));
    for (let i = 0; i < count; i++) {
      const proc = new DaemonProcess({ name: 'warm-spare', entry: this.opts.daemonEntry, args: 'warm', env, log: this.opts.log, echo: this.opts.echo });
      // The first spare is taken first (the switchboard, whose start is on the
      // critical path); the others load in whatever CPU is left over. Only
      // where the priority can be given back at launch (root): a normal user
      // may lower a process's priority but never raise it again.
      if (this.spares.length > 0 && CAN_RENICE) setNice(proc.pid, SPARE_NICE);
      this.spares.push({ envKey, proc });
    }
    this.opts.log.log('supervisor', 'info', 'supervisor.warmed', { spares: count, pids: this.spares.slice(-count).map((s) => s.proc.pid) });
  }

  private takeSpare(env: Record<string, string>): DaemonProcess | undefined {
    const envKey = JSON.stringify(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));
    const i = this.spares.findIndex((s) => s.envKey === envKey && s.proc.alive && s.proc.spare);
    if (i < 0) return undefined;
    return this.spares.splice(i, 1)[0].proc;
  }

  /** Stops the spares nobody took (closing stdin would do; SIGTERM is quicker to confirm). */
  async dropSpares(): Promise<void> {
    const left = this.spares.splice(0);
    await Promise.all(left.map((s) => s.proc.stop(2000)));
  }

  /** Spawns the butler (or launches a warm spare) with its base overlay (plus a patch) and waits for every readiness check. */
  async start(name: string, o: StartOptions = {}): Promise<DaemonProcess> {
    const spec = this.spec(name);
    if (this.procs.get(name)?.alive) throw new Error(`${name} is already running (pid ${this.pid(name)}); stop it first`);
    const overlayPath = path.join(this.opts.runDir, `overlay-${name}.toml`);
    writeOverlay(overlayPath, mergeOverlay(spec.overlay, o.overlay));
    const label = spec.daemonName ?? name;
    const args = ['--roster', spec.rosterDir, '--overlay', overlayPath];
    const env = { ...spec.env, ...o.env };
    const spare = this.takeSpare(env);
    let proc: DaemonProcess;
    if (spare) {
      if (CAN_RENICE) setNice(spare.pid, 0);
      spare.launch(label, args);
      proc = spare;
    } else {
      proc = new DaemonProcess({ name: label, entry: this.opts.daemonEntry, args, env, log: this.opts.log, echo: this.opts.echo });
    }
    this.procs.set(name, proc);
    this.opts.log.log('supervisor', 'info', 'supervisor.spawned', { butler: name, child_pid: proc.pid, port: spec.port, ...(spare ? { warm_spare: true } : {}) });
    const checks = this.readinessChecks(spec, proc, o);
    let readiness: ReadinessTimings;
    try {
      readiness = await waitForAll(checks, {
        butler: label,
        timeoutMs: o.readinessTimeoutMs ?? 60_000,
        abort: proc.exitedAsError(),
        logTail: () => proc.logTail(),
      });
    } catch (err) {
      await proc.stop(2000);
      this.opts.log.log('supervisor', 'error', 'supervisor.not_ready', { butler: name, error: (err as Error).message.split('\n')[0] });
      throw err;
    }
    this.opts.log.log('supervisor', 'info', 'supervisor.ready', { butler: name, child_pid: proc.pid, readiness });
    return proc;
  }

  private readinessChecks(spec: DaemonSpec, proc: DaemonProcess, o: StartOptions): ReadinessCheck[] {
    const origin = `http://127.0.0.1:${spec.port}`;
    const checks: ReadinessCheck[] = [
      check('process alive', async () => (proc.alive ? true : 'process exited')),
      httpCheck(
        '/healthz 200',
        `${origin}/healthz`,
        (b) => (b?.ready === true ? true : `body ${JSON.stringify(b)}`),
        // Probe when the daemon says it is ready; without that line, every 250 ms or so.
        () => proc.lineSeen('"event":"butler.ready"', 250),
      ),
      check('status tool answers', async () => {
        // One raw exchange, not an SDK session: see contracts/mcp-call-once.ts.
        const raw = await callToolOnce(`${origin}/mcp`, 'status', {}, { timeoutMs: 5000, clientName: 'butlers-e2e-readiness', meta: { traceparent: newTraceparent() } });
        const out = toOutcome<{ butler: string }>(raw);
        if (out.isError) return `status returned an error: ${out.text.slice(0, 200)}`;
        const expected = spec.daemonName ?? spec.name;
        return out.data?.butler === expected ? true : `status.butler is ${out.data?.butler}`;
      }),
    ];
    if (!o.skipRegistryCheck) {
      checks.push(
        check('registry lists the butler', async () => {
          const url = await this.opts.registryLookup(spec.daemonName ?? spec.name);
          if (url === undefined) return 'no butler_registry row yet';
          return url === spec.advertisedUrl ? true : `registry holds ${url}, expected ${spec.advertisedUrl}`;
        }),
      );
    }
    return checks;
  }

  async stop(name: string, graceMs = 10_000): Promise<void> {
    await this.procs.get(name)?.stop(graceMs);
  }

  kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): void {
    const p = this.procs.get(name);
    if (!p?.alive) throw new Error(`${name} is not running; nothing to kill`);
    p.signal(signal);
  }

  async restart(name: string, o: StartOptions = {}): Promise<DaemonProcess> {
    await this.stop(name);
    return this.start(name, o);
  }

  /** SIGTERM to all, a grace period, SIGKILL, and confirmation that every pid is gone. */
  async shutdown(graceMs = 10_000): Promise<void> {
    await Promise.all([this.dropSpares(), ...[...this.procs.values()].map((p) => p.stop(graceMs))]);
    const left = [...this.procs.values()].filter((p) => p.pid && pidAlive(p.pid));
    if (left.length) throw new Error(`daemons still alive after shutdown: ${left.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`);
  }
}

/** Niceness of warm spares other than the first while they load. */
const SPARE_NICE = 10;
const CAN_RENICE = process.platform === 'linux' && process.getuid?.() === 0;

/** Sets the niceness of every thread of `pid` (Linux niceness is per thread; threads inherit it). */
function setNice(pid: number | undefined, nice: number): void {
  if (!pid) return;
  let tids: number[] = [pid];
  try {
    tids = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    /* no /proc: the main thread only */
  }
  for (const tid of tids) {
    try {
      os.setPriority(tid, nice);
    } catch {
      /* already gone */
    }
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
