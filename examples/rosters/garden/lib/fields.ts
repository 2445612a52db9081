import { z } from 'zod';
import type { QueryResultRow } from 'pg';

// Helpers of this butler alone (an example roster folder cannot reach roster/_lib).

/** A non-empty, trimmed string. */
export function text(description: string) {
  return z.string().trim().min(1).describe(description);
}

/** A calendar day: publishes `format: date`. */
export function day(description: string) {
  return z.string().date().describe(description);
}

/** Empty or whitespace-only strings count as "not given" (models send "" for optional fields). */
export function textOrNull(value: string | null | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** A pg row as plain JSON: timestamps as ISO strings, the named NUMERIC columns as numbers. */
export function plainRow(row: QueryResultRow, numeric: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value instanceof Date) out[key] = value.toISOString();
    else if (numeric.includes(key) && value !== null && value !== undefined) out[key] = Number(value);
    else out[key] = value;
  }
  return out;
}
