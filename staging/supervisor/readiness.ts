/**
 * Composable readiness checks (after testcontainers' wait strategies): each
 * check has a name and its own timeout, and a failure says which butler, which
 * check, how long we waited and what the check last saw.
 */
export interface ReadinessCheck {
  /** Human name used in errors, e.g. "/healthz 200". */
  name: string;
  /** Resolves `true` when ready, or a string saying what it saw instead. */
  probe(): Promise<true | string>;
}

export class ReadinessError extends Error {
  readonly code = 'readiness_timeout';
  constructor(
    readonly butler: string,
    readonly check: string,
    readonly waitedMs: number,
    readonly lastSeen: string,
    readonly logTail: string[] = [],
  ) {
    super(
      `${butler} did not become ready: check "${check}" still failing after ${(waitedMs / 1000).toFixed(1)} s ` +
        `(last: ${lastSeen})` +
        (logTail.length ? `\nlast ${logTail.length} log lines of ${butler}:\n${logTail.join('\n')}` : ''),
    );
    this.name = 'ReadinessError';
  }
}

export interface WaitOptions {
  butler: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Rejects early (e.g. the process exited) with its own message. */
  abort?: Promise<never>;
  logTail?: () => string[];
}

/** Runs checks in order; each gets what is left of the overall timeout. */
export async function waitForAll(checks: ReadinessCheck[], opts: WaitOptions): Promise<void> {
  const started = Date.now();
  for (const check of checks) {
    const remaining = opts.timeoutMs - (Date.now() - started);
    await waitFor(check, { ...opts, timeoutMs: Math.max(remaining, 0) }, started);
  }
}

async function waitFor(check: ReadinessCheck, opts: WaitOptions, started: number): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 50;
  let last = 'not yet probed';
  for (;;) {
    const attempt = check.probe().then(
      (r) => r,
      (e: Error) => e.message || String(e),
    );
    const result = opts.abort ? await Promise.race([attempt, opts.abort]) : await attempt;
    if (result === true) return;
    last = result;
    if (Date.now() >= deadline) {
      throw new ReadinessError(opts.butler, check.name, Date.now() - started, last, opts.logTail?.() ?? []);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** GET <url> answers 200 and its JSON satisfies `accept`. */
export function httpCheck(name: string, url: string, accept: (body: any) => true | string = () => true): ReadinessCheck {
  return {
    name,
    async probe() {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status !== 200) return `HTTP ${res.status}`;
      const body = await res.json().catch(() => undefined);
      return accept(body);
    },
  };
}

export function check(name: string, probe: () => Promise<true | string>): ReadinessCheck {
  return { name, probe };
}
