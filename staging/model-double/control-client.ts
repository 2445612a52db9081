// Typed fetch client for the double's control API, for fixtures that only
// know the double's URL (e.g. a double started by another process).
import { type ModelDoubleControl, pollHeld } from './control.ts';
import type { FaultSpec } from './faults.ts';
import type { RequestLogDetail, RequestLogEntry, RequestLogFilter } from './types.ts';

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}/__control${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    throw new Error(`model double control ${method} ${path}: answer is not JSON (HTTP ${res.status}): ${text.slice(0, 200)}`);
  }
  if (res.status >= 400 && res.status !== 404) {
    const message = (json as { error?: { message?: string } } | null)?.error?.message ?? text;
    throw new Error(`model double control ${method} ${path} failed (HTTP ${res.status}): ${message}`);
  }
  return { status: res.status, json };
}

function query(filter: RequestLogFilter = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A control client for the double at `baseUrl` (its `url`, without /__control). */
export function createControlClient(baseUrl: string): ModelDoubleControl {
  const base = baseUrl.replace(/\/+$/, '');
  const requests = async (filter?: RequestLogFilter): Promise<RequestLogEntry[]> =>
    ((await call(base, 'GET', `/requests${query(filter)}`)).json as { requests: RequestLogEntry[] }).requests;
  return {
    addFault: async (spec: FaultSpec) => {
      const { status, json } = await call(base, 'POST', '/faults', spec);
      if (status !== 201) throw new Error(`model double control POST /faults: unexpected HTTP ${status}`);
      return json as { id: string };
    },
    removeFault: async (id) => (await call(base, 'DELETE', `/faults/${encodeURIComponent(id)}`)).status === 200,
    clearFaults: async () => {
      await call(base, 'DELETE', '/faults');
    },
    requests,
    request: async (id) => {
      const { status, json } = await call(base, 'GET', `/requests/${encodeURIComponent(id)}`);
      return status === 200 ? (json as RequestLogDetail) : null;
    },
    release: async (id) => (await call(base, 'POST', `/holds/${encodeURIComponent(id)}/release`)).status === 200,
    waitForHeld: (filter = {}, timeoutMs = 5000) => pollHeld(() => requests(filter), filter, timeoutMs),
  };
}
