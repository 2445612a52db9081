import http from 'node:http';

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

/** How long each check took to pass and how many probes it needed, in check order. */
export type ReadinessTimings = Array<{ check: string; ms: number; probes: number }>;

/** Runs checks in order; each gets what is left of the overall timeout. */
export async function waitForAll(checks: ReadinessCheck[], opts: WaitOptions): Promise<ReadinessTimings> {
  const started = Date.now();
  const timings: ReadinessTimings = [];
  for (const check of checks) {
    const t = Date.now();
    const remaining = opts.timeoutMs - (t - started);
    const probes = await waitFor(check, { ...opts, timeoutMs: Math.max(remaining, 0) }, started);
    timings.push({ check: check.name, ms: Date.now() - t, probes });
  }
  return timings;
}

async function waitFor(check: ReadinessCheck, opts: WaitOptions, started: number): Promise<number> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 50;
  let last = 'not yet probed';
  for (let probes = 1; ; probes++) {
    const attempt = check.probe().then(
      (r) => r,
      (e: Error) => e.message || String(e),
    );
    const result = opts.abort ? await Promise.race([attempt, opts.abort]) : await attempt;
    if (result === true) return probes;
    last = result;
    if (Date.now() >= deadline) {
      throw new ReadinessError(opts.butler, check.name, Date.now() - started, last, opts.logTail?.() ?? []);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * GET <url> answers 200 and its JSON satisfies `accept`. `before` runs ahead of
 * each probe (e.g. waiting for the daemon's ready log line). node:http, not
 * fetch: a probe is one small local GET, and fetch's per-request cost is
 * several times higher on a box where six daemons are starting.
 */
export function httpCheck(
  name: string,
  url: string,
  accept: (body: any) => true | string = () => true,
  before?: () => Promise<unknown>,
): ReadinessCheck {
  return {
    name,
    async probe() {
      await before?.();
      const { status, body } = await getJson(url, 2000);
      if (status !== 200) return `HTTP ${status}`;
      return accept(body);
    },
  };
}

function getJson(url: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export function check(name: string, probe: () => Promise<true | string>): ReadinessCheck {
  return { name, probe };
}
