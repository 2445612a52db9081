import { z } from 'zod';

export const COST_ATTACHMENT_NAME = 'cost';
export const COST_CONTENT_TYPE = 'application/json';

const count = z.number().int().nonnegative();

/** One LLM session a test caused, as read from its `sessions` row. */
export const CostSession = z
  .object({
    butler: z.string().min(1),
    session_id: z.string().min(1),
    kind: z.enum(['task', 'classification', 'synthesis']),
    model: z.string().min(1),
    input_tokens: count,
    output_tokens: count,
    api_requests: count,
  })
  .strict();
export type CostSession = z.infer<typeof CostSession>;

const ModelTotals = z.object({ calls: count, input_tokens: count, output_tokens: count }).strict();
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
    by_model: z.record(z.string(), ModelTotals),
  })
  .strict()
  .superRefine((a, ctx) => {
    const expected = totalsOf(a.sessions);
    for (const key of ['calls', 'api_requests', 'input_tokens', 'output_tokens'] as const) {
      if (a[key] !== expected[key]) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} is ${a[key]} but its sessions sum to ${expected[key]}` });
      }
    }
    if (JSON.stringify(sortKeys(a.by_model)) !== JSON.stringify(sortKeys(expected.by_model))) {
      ctx.addIssue({ code: 'custom', path: ['by_model'], message: 'by_model does not match the sessions' });
    }
  });
export type CostAttachment = z.infer<typeof CostAttachment>;

function totalsOf(sessions: CostSession[]): Omit<CostAttachment, 'mode' | 'sessions'> {
  const totals = { calls: 0, api_requests: 0, input_tokens: 0, output_tokens: 0, by_model: {} as Record<string, ModelTotals> };
  for (const s of sessions) {
    totals.calls += 1;
    totals.api_requests += s.api_requests;
    totals.input_tokens += s.input_tokens;
    totals.output_tokens += s.output_tokens;
    const m = (totals.by_model[s.model] ??= { calls: 0, input_tokens: 0, output_tokens: 0 });
    m.calls += 1;
    m.input_tokens += s.input_tokens;
    m.output_tokens += s.output_tokens;
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
