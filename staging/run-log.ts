import { createWriteStream, existsSync, mkdirSync, readlinkSync, rmSync, symlinkSync, copyFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export const LOG_DIR = path.resolve('.tmp/e2e-logs');

/** `YYYYMMDD-HHMMSS` in UTC: one stamp names one run's log file and scratch folder. */
export function runStamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * The run's stamp, shared by every worker: global setup exports E2E_RUN_STAMP,
 * a standalone boot (npm run staging, bench) makes its own.
 */
export function currentRunStamp(env: NodeJS.ProcessEnv = process.env): string {
  if (!env.E2E_RUN_STAMP) env.E2E_RUN_STAMP = runStamp();
  return env.E2E_RUN_STAMP;
}

export function runLogPath(stamp: string): string {
  return path.join(LOG_DIR, `e2e-${stamp}.log`);
}

/** Creates the run's log file and points `e2e-latest.log` at it (a copy where links fail). */
export function prepareRunLog(stamp: string): string {
  mkdirSync(LOG_DIR, { recursive: true });
  const file = runLogPath(stamp);
  if (!existsSync(file)) createWriteStream(file, { flags: 'a' }).end();
  const latest = path.join(LOG_DIR, 'e2e-latest.log');
  try {
    if (readlinkSync(latest) === path.basename(file)) return file;
  } catch {
    /* missing, or a copy: replace it */
  }
  rmSync(latest, { force: true });
  try {
    symlinkSync(path.basename(file), latest);
  } catch (err) {
    // Another worker linked it first; only where links are unsupported do we copy.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') copyFileSync(file, latest);
  }
  return file;
}

/**
 * Appends JSON lines to the run log. Lines a child prints that are not JSON
 * (a crash trace, a library's console output) are wrapped so every line of the
 * file stays JSON with `butler`/`component` and `worker`.
 */
export class RunLog {
  readonly file: string;
  private stream: WriteStream;
  private closed = false;

  constructor(file: string, private readonly worker: number) {
    this.file = file;
    mkdirSync(path.dirname(file), { recursive: true });
    this.stream = createWriteStream(file, { flags: 'a' });
  }

  /** A line from a child process: JSON passes through (with worker added), anything else is wrapped. */
  childLine(source: { butler?: string; component?: string; pid?: number }, line: string, stream: 'stdout' | 'stderr'): void {
    const trimmed = line.trim();
    if (!trimmed) return;
    let obj: Record<string, unknown> | undefined;
    if (trimmed.startsWith('{')) {
      try {
        obj = JSON.parse(trimmed);
      } catch {
        obj = undefined;
      }
    }
    if (obj && typeof obj === 'object') {
      if (obj.worker === undefined) obj.worker = this.worker;
      if (obj.butler === undefined && obj.component === undefined) Object.assign(obj, source);
      this.write(obj);
    } else {
      this.write({ level: stream === 'stderr' ? 40 : 30, time: new Date().toISOString(), ...source, worker: this.worker, stream, msg: trimmed });
    }
  }

  /** A line of the harness's own (supervisor, providers, double, collector). */
  log(component: string, level: 'debug' | 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown> = {}): void {
    const n = { debug: 20, info: 30, warn: 40, error: 50 }[level];
    this.write({ level: n, time: new Date().toISOString(), component, worker: this.worker, pid: process.pid, event, ...fields });
  }

  private write(obj: Record<string, unknown>): void {
    if (this.closed) return;
    this.stream.write(JSON.stringify(obj) + '\n');
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
