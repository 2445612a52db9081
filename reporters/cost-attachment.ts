import { z } from 'zod';

export const COST_ATTACHMENT_NAME = 'cost';
export const COST_CONTENT_TYPE = 'application/json';

const count = z.number().int().nonnegative();
/** Prompt-cache counters: absent in attachments written before caching was recorded, so 0 by default. */
const cacheCount = count.default(0);

/** One LLM session a test caused, as read from its `sessions` row. */
export const CostSession = z
  .object({
    butler: z.string().min(1),
    session_id: z.string().min(1),
    kind: z.enum(['task', 'classification', 'synthesis']),
    model: z.string().min(1),
    /** Uncached input, as the API reports `input_tokens`. */
    input_tokens: count,
    output_tokens: count,
    cache_creation_input_tokens: cacheCount,
    cache_read_input_tokens: cacheCount,
    api_requests: count,
  })
  .strict();
export type CostSession = z.infer<typeof CostSession>;

const ModelTotals = z
  .object({ calls: count, input_tokens: count, output_tokens: count, cache_creation_input_tokens: cacheCount, cache_read_input_tokens: cacheCount })
  .strict();
export type ModelTotals = z.infer<typeof ModelTotals>;

/**
 * The `cost` test attachment (JSON): the sessions one test attempt caused and
 * their totals. Totals are redundant on purpose — the refinement checks them
 * against `sessions`, so a fixture bug shows up as a reporter warning instead
 * of a silently wrong bill. Costs are not stored: the reporter prices tokens.
 */
export const CostAttachment = z
  .object({
    mode: z.enum(['double', 'live']),
    sessions: z.array(CostSession),
    calls: count,
    api_requests: count,
    input_tokens: count,
    output_tokens: count,
    cache_creation_input_tokens: cacheCount,
    cache_read_input_tokens: cacheCount,
    by_model: z.record(z.string(), ModelTotals),
  })
  .strict()
  .superRefine((a, ctx) => {
    const expected = totalsOf(a.sessions);
    for (const key of ['calls', 'api_requests', ...TOKEN_KEYS] as const) {
      if (a[key] !== expected[key]) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} is ${a[key]} but its sessions sum to ${expected[key]}` });
      }
    }
    if (JSON.stringify(sortKeys(a.by_model)) !== JSON.stringify(sortKeys(expected.by_model))) {
      ctx.addIssue({ code: 'custom', path: ['by_model'], message: 'by_model does not match the sessions' });
    }
  });
export type CostAttachment = z.infer<typeof CostAttachment>;

/** The token counters every level (session, model, attachment) carries. */
export const TOKEN_KEYS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const;

/**
 * Everything the model read for these counters: uncached input plus cache
 * writes and reads. Caching lowers the price of input, not its size, so the
 * per-test input-token guard counts this.
 */
export function allInputTokens(t: { input_tokens: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number }): number {
  return t.input_tokens + (t.cache_creation_input_tokens ?? 0) + (t.cache_read_input_tokens ?? 0);
}

function totalsOf(sessions: CostSession[]): Omit<CostAttachment, 'mode' | 'sessions'> {
  const zero = () => ({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  const totals = { calls: 0, api_requests: 0, ...zero(), by_model: {} as Record<string, ModelTotals> };
  for (const s of sessions) {
    totals.calls += 1;
    totals.api_requests += s.api_requests;
    const m = (totals.by_model[s.model] ??= { calls: 0, ...zero() });
    m.calls += 1;
    for (const k of TOKEN_KEYS) {
      totals[k] += s[k];
      m[k] += s[k];
    }
  }
  return totals;
}

function sortKeys<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

/**
 * A session as the cost fixture reads it: a `sessions` row (`butler_name`,
 * nullable counters) or an already-shaped `CostSession`.
 */
export interface CostSessionSource {
  butler?: string;
  butler_name?: string;
  session_id: string;
  kind: string;
  model: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  api_requests: number | null;
}

/**
 * Builds a validated `cost` attachment from session rows. Null counters (the
 * API reported no usage) count as 0. Throws with the offending field when a
 * row cannot be represented, e.g. an unknown session kind.
 */
export function costAttachmentFrom(sessions: readonly CostSessionSource[], mode: 'double' | 'live'): CostAttachment {
  const shaped = sessions.map((s) => ({
    butler: s.butler ?? s.butler_name ?? '',
    session_id: s.session_id,
    kind: s.kind,
    model: s.model,
    input_tokens: s.input_tokens ?? 0,
    output_tokens: s.output_tokens ?? 0,
    cache_creation_input_tokens: s.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: s.cache_read_input_tokens ?? 0,
    api_requests: s.api_requests ?? 0,
  }));
  const parsed = z.array(CostSession).safeParse(shaped);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const [index, ...field] = issue.path;
    const id = shaped[Number(index)]?.session_id;
    throw new Error(`cost attachment: session ${String(id)} (index ${String(index)}) field ${field.join('.')}: ${issue.message}`);
  }
  return { mode, sessions: parsed.data, ...totalsOf(parsed.data) };
}

/** Arguments for `testInfo.attach(...)`: `await testInfo.attach(...costAttachmentArgs(att))`. */
export function costAttachmentArgs(attachment: CostAttachment): [string, { body: string; contentType: string }] {
  return [COST_ATTACHMENT_NAME, { body: JSON.stringify(attachment), contentType: COST_CONTENT_TYPE }];
}
