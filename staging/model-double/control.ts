// The control surface, in process: the HTTP control API and the typed
// control client both expose exactly this interface.
import type { FaultStore, FaultSpec } from './faults.ts';
import type { HoldRegistry } from './holds.ts';
import type { RequestLog } from './request-log.ts';
import type { RequestLogDetail, RequestLogEntry, RequestLogFilter } from './types.ts';

/**
 * Per-test control of the model double (README.md, Control API): inject faults, read the
 * request log, release held requests. Same shape in process and over HTTP.
 */
export interface ModelDoubleControl {
  addFault(spec: FaultSpec): Promise<{ id: string }>;
  removeFault(id: string): Promise<boolean>;
  clearFaults(): Promise<void>;
  requests(filter?: RequestLogFilter): Promise<RequestLogEntry[]>;
  request(id: string): Promise<RequestLogDetail | null>;
  release(requestId: string): Promise<boolean>;
  /** Resolves with the first held, still pending request matching `filter`; rejects after `timeoutMs`. */
  waitForHeld(filter?: RequestLogFilter, timeoutMs?: number): Promise<RequestLogEntry>;
}

/** Polls `list` until a held, pending request shows up (shared by both implementations). */
export async function pollHeld(
  list: () => Promise<RequestLogEntry[]>,
  filter: RequestLogFilter,
  timeoutMs: number,
): Promise<RequestLogEntry> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const held = (await list()).find((e) => e.held && e.pending);
    if (held) return held;
    if (Date.now() > deadline) {
      throw new Error(
        `model double: no held request matching ${JSON.stringify(filter)} arrived within ${timeoutMs} ms; ` +
          'check that a hold fault matches the session (butler, tag, prompt_contains)',
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function localControl(faults: FaultStore, requests: RequestLog, holds: HoldRegistry): ModelDoubleControl {
  return {
    addFault: async (spec) => ({ id: faults.add(spec).id }),
    removeFault: async (id) => faults.remove(id),
    clearFaults: async () => faults.clear(),
    requests: async (filter) => requests.list(filter),
    request: async (id) => requests.get(id),
    release: async (id) => holds.release(id),
    waitForHeld: (filter = {}, timeoutMs = 5000) => pollHeld(async () => requests.list(filter), filter, timeoutMs),
  };
}
