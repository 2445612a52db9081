import { z } from 'zod';

/** One tool call a session made, as stored in `sessions.tool_calls` (sensitive arguments already redacted). */
export const ToolCallRecord = z.object({
  name: z.string().min(1),
  arguments: z.unknown(),
  result: z.unknown(),
  is_error: z.boolean(),
});
export type ToolCallRecord = z.infer<typeof ToolCallRecord>;

export const DEFAULT_MODEL = 'claude-haiku-4-5-20251001';

const tokens = z.number().int().nonnegative().nullable();

/**
 * What `trigger` returns (docs/ecosystem.md §10.4). The
 * refinement enforces the guarantees: `error` exactly when `success` is false,
 * `session_id` null only for `lock_wait_timeout`.
 */
export const SpawnerResult = z
  .object({
    output: z.string().nullable(),
    success: z.boolean(),
    tool_calls: z.array(ToolCallRecord),
    error: z.string().nullable(),
    duration_ms: z.number().nonnegative(),
    model: z.string().min(1),
    session_id: z.string().uuid().nullable(),
    input_tokens: tokens,
    output_tokens: tokens,
    /** Prompt-cache input, not part of input_tokens (absent from results of older daemons). */
    cache_creation_input_tokens: tokens.optional(),
    cache_read_input_tokens: tokens.optional(),
    lock_wait_ms: z.number().nonnegative(),
  })
  .superRefine((r, ctx) => {
    if (r.success && r.error !== null) {
      ctx.addIssue({ code: 'custom', path: ['error'], message: 'error must be null when success is true' });
    }
    if (!r.success && (r.error === null || r.error === '')) {
      ctx.addIssue({ code: 'custom', path: ['error'], message: 'error must be set when success is false' });
    }
    if (r.success && (r.output === null || r.output === '')) {
      ctx.addIssue({ code: 'custom', path: ['output'], message: 'a successful session has non-empty output' });
    }
    if (r.session_id === null && r.error !== 'lock_wait_timeout') {
      ctx.addIssue({
        code: 'custom',
        path: ['session_id'],
        message: 'session_id may be null only when error is "lock_wait_timeout" (every other session has a row)',
      });
    }
  });
export type SpawnerResult = z.infer<typeof SpawnerResult>;
