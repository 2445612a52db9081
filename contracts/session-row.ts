import { z } from 'zod';
import { ToolCallRecord } from './spawner-result.ts';

export const TRIGGER_SOURCES = ['external', 'heartbeat', 'scheduled', 'test'] as const;
export const TriggerSource = z.enum(TRIGGER_SOURCES);
export type TriggerSource = z.infer<typeof TriggerSource>;

export const SESSION_KINDS = ['task', 'classification', 'synthesis'] as const;
export const SessionKind = z.enum(SESSION_KINDS);
export type SessionKind = z.infer<typeof SessionKind>;

export const SESSION_STATUSES = ['running', 'completed', 'error'] as const;
export const SessionStatus = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** pg returns TIMESTAMPTZ as Date; JSON carries strings. Both become Date. */
const timestamp = z.union([z.date(), z.string().datetime({ offset: true })]).pipe(z.coerce.date());
const count = z.number().int().nonnegative().nullable();
/** pg returns NUMERIC as a string to keep precision; a cost is small enough for a double. */
const numeric = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)])
  .transform(Number)
  .nullable();

/**
 * A `sessions` row (docs/ecosystem.md §4.1) as read with `SELECT *`. Unknown
 * columns are stripped so new optional columns do not break readers. The
 * refinement is CON-44: `error` non-null exactly when status is `error`;
 * `completed_at` set exactly on finished rows.
 */
export const SessionRow = z
  .object({
    session_id: z.string().uuid(),
    butler_name: z.string().min(1),
    trigger_source: TriggerSource,
    kind: SessionKind,
    prompt: z.string(),
    model: z.string().min(1),
    status: SessionStatus,
    created_at: timestamp,
    completed_at: timestamp.nullable(),
    duration_ms: count,
    lock_wait_ms: count,
    tool_calls: z.array(ToolCallRecord),
    output: z.string().nullable(),
    input_tokens: count,
    output_tokens: count,
    /** Migration 0005; optional so rows read from an older schema still parse. */
    cache_creation_input_tokens: count.optional(),
    cache_read_input_tokens: count.optional(),
    api_requests: count,
    cost_usd: numeric,
    trace_id: z.string().nullable(),
    error: z.string().nullable(),
    request_id: z.string().uuid().nullable(),
    subrequest_id: z.string().nullable(),
    tag: z.string().nullable(),
    scheduled_task_id: z.string().uuid().nullable(),
    runtime_pid: z.number().int().nullable(),
  })
  .superRefine((row, ctx) => {
    const isError = row.status === 'error';
    if (isError !== (row.error !== null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['error'],
        message: `error must be non-null exactly when status is "error" (status ${row.status}, error ${JSON.stringify(row.error)})`,
      });
    }
    const finished = row.status !== 'running';
    if (finished !== (row.completed_at !== null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['completed_at'],
        message: finished
          ? `completed_at must be set once a session is ${row.status}`
          : 'a running session has no completed_at yet',
      });
    }
    if (row.completed_at !== null && row.completed_at.getTime() < row.created_at.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['completed_at'], message: 'completed_at is earlier than created_at' });
    }
  });
export type SessionRow = z.infer<typeof SessionRow>;
