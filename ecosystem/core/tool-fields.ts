import { z } from 'zod';

/**
 * Shared argument schemas for roster tools. Timestamps accept an offset or a
 * local time (read in the database's time zone) and publish `format: date-time`.
 */
export function timestamp(description: string) {
  return z.string().datetime({ offset: true, local: true }).describe(description);
}

/** A row id: publishes `format: uuid`, so ids and names are not confused. */
export function rowId(description: string) {
  return z.string().uuid().describe(description);
}

/** A calendar day: publishes `format: date`. */
export function day(description: string) {
  return z.string().date().describe(description);
}

/** A non-empty, trimmed string. */
export function text(description: string) {
  return z.string().trim().min(1).describe(description);
}
