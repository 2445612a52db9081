import type { QueryResultRow } from 'pg';

/**
 * Turns a pg row into plain JSON: timestamps become ISO strings and NUMERIC /
 * BIGINT strings become numbers, so tool results read the same on every client.
 */
export function plainRow(row: QueryResultRow, numeric: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v instanceof Date) out[k] = v.toISOString();
    else if (numeric.includes(k)) out[k] = toNumber(v);
    else out[k] = v;
  }
  return out;
}

/** NUMERIC and COUNT(*) arrive from pg as strings; null stays null. */
export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

export function isoOrNull(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : String(v);
}

/** Numeric columns of `sessions` as pg returns them (NUMERIC is a string). */
export const SESSION_NUMERIC = ['cost_usd'] as const;
