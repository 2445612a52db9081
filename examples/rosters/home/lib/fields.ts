import { z } from 'zod';
import { withExamples } from '@butlers/framework';

// This butler's own argument schema; the common ones (text, day, plainRow, …) come from @butlers/framework.

/** A currency as an ISO 4217 code. */
export function currency(description: string) {
  return withExamples(z.string().describe(`${description}, as an ISO 4217 code`), ['EUR', 'GBP', 'USD']);
}
