import type { QueryResultRow } from 'pg';

/**
 * Turns a pg row into plain JSON for a tool result: timestamps become ISO
 * strings and the named NUMERIC/BIGINT columns (strings in pg) become numbers.
 */
export function plainRow(row: QueryResultRow, numeric: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value instanceof Date) out[key] = value.toISOString();
    else if (numeric.includes(key) && value !== null && value !== undefined) out[key] = Number(value);
    else out[key] = value;
  }
  return out;
}

/** Empty or whitespace-only strings count as "not given" (models send "" for optional fields). */
export function given(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** A trimmed string, or null when not given. */
export function textOrNull(value: string | null | undefined): string | null {
  return given(value) ? value.trim() : null;
}
