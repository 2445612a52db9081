// The request log behind `GET /__control/requests`: one row per Messages API
// call, plus the full body and response kept for `GET /requests/:id`.
import type { Attribution, RequestLogDetail, RequestLogEntry, RequestLogFilter } from './types.ts';

const MAX_ENTRIES = 5000;

interface Stored {
  entry: RequestLogEntry;
  request: unknown;
  response: { status: number; body: unknown } | null;
  startedAt: number;
}

function sinceMs(since: string | number | undefined): number | null {
  if (since === undefined || since === '') return null;
  if (typeof since === 'number') return since;
  if (/^\d+$/.test(since)) return Number(since);
  const t = Date.parse(since);
  if (Number.isNaN(t)) {
    throw new Error(`model double request log: since must be an ISO time or epoch milliseconds, got "${since}"`);
  }
  return t;
}

export class RequestLog {
  private rows = new Map<string, Stored>();
  private seq = 0;

  begin(who: Attribution, now: Date): RequestLogEntry {
    this.seq += 1;
    const entry: RequestLogEntry = {
      id: `req_${this.seq}`,
      time: now.toISOString(),
      ...who,
      kind: 'invalid',
      model: null,
      tools: [],
      message_count: 0,
      status: null,
      summary: '',
      duration_ms: null,
      fault_id: null,
      held: false,
      pending: true,
    };
    this.rows.set(entry.id, { entry, request: null, response: null, startedAt: now.getTime() });
    if (this.rows.size > MAX_ENTRIES) this.rows.delete(this.rows.keys().next().value as string);
    return entry;
  }

  setRequest(id: string, request: unknown): void {
    const row = this.rows.get(id);
    if (row) row.request = request;
  }

  finish(id: string, status: number, body: unknown, summary: string, now: number): void {
    const row = this.rows.get(id);
    if (!row) return;
    row.response = { status, body };
    row.entry.status = status;
    row.entry.summary = summary;
    row.entry.pending = false;
    row.entry.duration_ms = now - row.startedAt;
  }

  list(filter: RequestLogFilter = {}): RequestLogEntry[] {
    const since = sinceMs(filter.since);
    return [...this.rows.values()]
      .map((r) => r.entry)
      .filter(
        (e) =>
          (filter.butler === undefined || e.butler === filter.butler) &&
          (filter.tag === undefined || e.tag === filter.tag) &&
          (filter.session_id === undefined || e.session_id === filter.session_id) &&
          (since === null || Date.parse(e.time) >= since),
      )
      .map((e) => ({ ...e }));
  }

  get(id: string): RequestLogDetail | null {
    const row = this.rows.get(id);
    return row ? { ...row.entry, request: row.request, response: row.response } : null;
  }
}
