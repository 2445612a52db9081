// Fault injection rules for the control API (README.md, Control API): what to match, what
// to do, how many times. Matching reads attribution headers, never the policy.
import { z } from 'zod';
import type { Attribution } from './types.ts';

const matchSchema = z
  .object({
    butler: z.string().optional(),
    session_kind: z.string().optional(),
    session_id: z.string().optional(),
    tag: z.string().optional(),
    prompt_contains: z.string().optional(),
    nth: z.number().int().min(1).optional(),
  })
  .strict();

const actionSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('status'),
      code: z.number().int().min(400).max(599),
      error_type: z.string().optional(),
      message: z.string().optional(),
      retry_after: z.union([z.number().nonnegative(), z.string()]).optional(),
    })
    .strict(),
  z.object({ type: z.literal('delay'), ms: z.number().int().nonnegative() }).strict(),
  z.object({ type: z.literal('hold') }).strict(),
  z.object({ type: z.literal('text'), text: z.string() }).strict(),
  z.object({ type: z.literal('json'), value: z.unknown() }).strict(),
  z.object({ type: z.literal('tool_use'), name: z.string().min(1), input: z.record(z.unknown()).optional() }).strict(),
  z.object({ type: z.literal('malformed') }).strict(),
  z.object({ type: z.literal('disconnect') }).strict(),
]);

const bareActions = ['hold', 'malformed', 'disconnect'] as const;

/** `POST /__control/faults` body. `times` defaults to 1; 0 means unlimited. */
export const faultSpecSchema = z
  .object({
    match: matchSchema.default({}),
    action: z.union([z.enum(bareActions).transform((type) => ({ type })), actionSchema]),
    times: z.number().int().min(0).default(1),
  })
  .strict();

/** What a fault matches; every given field must match. `nth` skips the first n-1 matching requests. */
export type FaultMatch = z.infer<typeof matchSchema>;
/** What a fault does to a matching request. */
export type FaultAction = z.infer<typeof actionSchema>;
/** A fault as sent to the control API (before defaults). */
export type FaultSpec = z.input<typeof faultSpecSchema>;

/** A registered fault with its counters. */
export interface Fault {
  id: string;
  match: FaultMatch;
  action: FaultAction;
  times: number;
  fired: number;
  seen: number;
}

/** Default Anthropic error type for a status code. */
export function errorTypeFor(code: number): string {
  const known: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    500: 'api_error',
    529: 'overloaded_error',
  };
  return known[code] ?? (code >= 500 ? 'api_error' : 'invalid_request_error');
}

/** Validates a fault spec; the error names the field, the rule and an example of a valid body. */
export function parseFaultSpec(body: unknown): z.output<typeof faultSpecSchema> {
  const parsed = faultSpecSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw new Error(
    `model double fault spec is invalid (${issues}); expected e.g. ` +
      `{"match":{"butler":"x"},"action":{"type":"status","code":429,"retry_after":1},"times":1}`,
  );
}

export class FaultStore {
  private faults: Fault[] = [];
  private seq = 0;

  add(body: unknown): Fault {
    const spec = parseFaultSpec(body);
    this.seq += 1;
    const fault: Fault = { id: `fault_${this.seq}`, ...spec, fired: 0, seen: 0 };
    this.faults.push(fault);
    return fault;
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** The first registered fault that fires for this request; counters advance for every match. */
  take(who: Attribution, firstUserText: string): Fault | null {
    let chosen: Fault | null = null;
    for (const f of this.faults) {
      if (!matches(f.match, who, firstUserText)) continue;
      f.seen += 1;
      if (chosen || f.seen < (f.match.nth ?? 1)) continue;
      f.fired += 1;
      chosen = f;
    }
    this.faults = this.faults.filter((f) => f.times === 0 || f.fired < f.times);
    return chosen;
  }
}

function matches(m: FaultMatch, who: Attribution, text: string): boolean {
  if (m.butler !== undefined && m.butler !== who.butler) return false;
  if (m.session_kind !== undefined && m.session_kind !== who.session_kind) return false;
  if (m.session_id !== undefined && m.session_id !== who.session_id) return false;
  if (m.tag !== undefined && m.tag !== who.tag) return false;
  if (m.prompt_contains !== undefined && !text.toLowerCase().includes(m.prompt_contains.toLowerCase())) return false;
  return true;
}
