import type { LogLine } from '../../fixtures/logs.ts';

/**
 * Helpers of the resilience session specs (sessions.spec.ts, classification.spec.ts):
 * a trigger, the session row by id, the serial lock as `status` reports it,
 * process liveness and the error events a failed session is expected to log.
 */

export { sessionById, sessionsByTag, spawnerStatus, trigger, until } from '../../fixtures/sessions.ts';

/** `process.kill(pid, 0)`: false exactly when the process is gone (ESRCH). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** The error-level lines a session that fails on purpose writes: the spawner's verdict and, for API errors, the runtime's. */
export const failedSession =
  (butler: string, tags: string[]) =>
  (l: LogLine): boolean =>
    l.butler === butler && tags.includes(String(l.tag)) && (l.event === 'spawner.session_failed' || l.event === 'runtime.llm_failed');
