import { firstLine } from './types.ts';

/** Engine errors worth another connection attempt (INF-02). */
export const CONNECT_TRANSIENT = ['error while fetching server api version', 'read timed out'] as const;

/** Engine races during container removal that usually resolve by themselves. */
export const STOP_TRANSIENT = [
  'did not receive an exit event',
  'no such container',
  'is already in progress',
  'tried to kill container',
  'is dead or marked for removal',
] as const;

/**
 * `attempts` counts every call, the first included: connect makes at most 3
 * calls 0.5 s apart; stop at most 4 with delays 0.5, 1, 2 s.
 */
export const CONNECT_POLICY = { attempts: 3, delayMs: 500 } as const;
export const STOP_POLICY = { attempts: 4, baseDelayMs: 500 } as const;

/** The clock and the warning sink, injected so tests run instantly and can see delays. */
export interface RetryDeps {
  sleep?: (ms: number) => Promise<void>;
  warn?: (line: string) => void;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function isTransient(err: unknown, texts: readonly string[]): boolean {
  const message = (err instanceof Error ? `${err.message} ${String((err as { reason?: unknown }).reason ?? '')}` : String(err)).toLowerCase();
  return texts.some((text) => message.includes(text));
}

/** Runs `op` (a container start), retrying only the transient engine-connection errors. */
export async function withConnectRetry<T>(
  op: () => Promise<T>,
  deps: RetryDeps = {},
  policy: { attempts: number; delayMs: number } = CONNECT_POLICY,
): Promise<T> {
  const sleep = deps.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (attempt >= policy.attempts || !isTransient(err, CONNECT_TRANSIENT)) throw err;
      deps.warn?.(`docker: attempt ${attempt}/${policy.attempts} failed (${firstLine(err)}); retrying in ${policy.delayMs} ms`);
      await sleep(policy.delayMs);
    }
  }
}

/** How a stop ended; a stop never throws, teardown must not fail the run. */
export interface StopOutcome {
  stopped: boolean;
  attempts: number;
  error?: string;
}

/** Runs `op` (a container stop) with exponential backoff on the transient removal races. */
export async function withStopRetry(
  op: () => Promise<unknown>,
  deps: RetryDeps = {},
  policy: { attempts: number; baseDelayMs: number } = STOP_POLICY,
): Promise<StopOutcome> {
  const sleep = deps.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      await op();
      return { stopped: true, attempts: attempt };
    } catch (err) {
      const transient = isTransient(err, STOP_TRANSIENT);
      if (attempt >= policy.attempts || !transient) {
        const error = firstLine(err);
        deps.warn?.(`warning: container stop gave up after ${attempt} attempt(s): ${error}; teardown continues`);
        return { stopped: false, attempts: attempt, error };
      }
      await sleep(policy.baseDelayMs * 2 ** (attempt - 1));
    }
  }
}
