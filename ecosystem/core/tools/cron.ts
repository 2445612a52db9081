import { CronExpressionParser } from 'cron-parser';
import { ToolError } from '../tool.ts';

/** Why a cron expression was refused, or null when it is a valid UTC 5-field expression. */
export function cronProblem(cron: string): string | null {
  const fields = cron.trim().split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) {
    return `expected 5 space-separated fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC', currentDate: new Date() }).next();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Throws the `invalid_cron` tool error naming the expression and the rule. */
export function assertCron(cron: string): void {
  const problem = cronProblem(cron);
  if (problem !== null) {
    throw new ToolError(
      'invalid_cron',
      `cron "${cron}" is not a valid UTC 5-field cron expression: ${problem}; e.g. "0 9 * * *" runs daily at 09:00 UTC`,
      { cron, problem },
    );
  }
}

/**
 * First occurrence of `cron` strictly after `after`, in UTC. Throws a plain
 * Error for an invalid expression (callers validate with assertCron first).
 */
export function nextCronOccurrence(cron: string, after: Date): Date {
  const problem = cronProblem(cron);
  if (problem !== null) throw new Error(`cron "${cron}" is invalid: ${problem}`);
  const expr = CronExpressionParser.parse(cron.trim(), { tz: 'UTC', currentDate: after });
  return expr.next().toDate();
}
