import { z } from 'zod';
import { toContractIssues, type ContractIssue } from './issues.ts';

export const SCHEMA_VERSION = 'ingest.v1';
export const CHANNELS = ['telegram', 'slack', 'email', 'api', 'mcp'] as const;
export const PROVIDERS = ['telegram', 'slack', 'gmail', 'imap', 'internal'] as const;
export type Channel = (typeof CHANNELS)[number];
export type Provider = (typeof PROVIDERS)[number];

/** Which providers may deliver on each channel (docs/ecosystem.md §8.1). */
export const ALLOWED_PROVIDERS: Readonly<Record<Channel, readonly Provider[]>> = {
  telegram: ['telegram'],
  slack: ['slack'],
  email: ['gmail', 'imap'],
  api: ['internal'],
  mcp: ['internal'],
};

/** `YYYY-MM-DDTHH:MM:SS[.ffffff]` then `Z` or `±HH:MM`; a naive local time is refused. */
export const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,6})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

const MAX_IDEMPOTENCY_KEY = 256;

/** A string that must contain something besides whitespace; the value itself is kept as sent. */
function nonBlank(field: string, max?: number) {
  const base = max === undefined ? z.string() : z.string().max(max, `${field} must be at most ${max} characters`);
  return base.superRefine((value, ctx) => {
    if (value.trim().length === 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.too_small,
        minimum: 1,
        inclusive: true,
        exact: false,
        type: 'string',
        message: `${field} must be a non-empty string (whitespace alone does not count)`,
      });
    }
  });
}

/** `z.custom` lets an absent key still be reported as `required` while any present value gets our own code. */
const schemaVersion = z.custom<string>(() => true).superRefine((value, ctx) => {
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', params: { code: 'required' }, message: 'schema_version is required' });
  } else if (typeof value !== 'string' || value.trim() !== SCHEMA_VERSION) {
    ctx.addIssue({
      code: 'custom',
      params: { code: 'unsupported_schema_version' },
      message: `schema_version ${JSON.stringify(value)} is not supported; expected "${SCHEMA_VERSION}"`,
    });
  }
});

const sentAt = z.custom<string>(() => true).superRefine((value, ctx) => {
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', params: { code: 'required' }, message: 'payload.sent_at is required' });
  } else if (typeof value !== 'string' || !RFC3339.test(value)) {
    ctx.addIssue({
      code: 'custom',
      params: { code: 'rfc3339_string_required' },
      message:
        `payload.sent_at must be an RFC 3339 string with a zone (e.g. 2026-02-16T10:00:00Z or ` +
        `2026-02-16T10:00:00+01:00), got ${JSON.stringify(value)}`,
    });
  }
});

/** The provider issue for a channel/provider pair, or null when the pair is allowed or the channel is unknown. */
export function sourcePairIssue(channel: unknown, provider: unknown): ContractIssue | null {
  if (typeof provider !== 'string') return null;
  const known = (PROVIDERS as readonly string[]).includes(provider);
  const allowed = (CHANNELS as readonly unknown[]).includes(channel) ? ALLOWED_PROVIDERS[channel as Channel] : null;
  if (known && (allowed === null || allowed.includes(provider as Provider))) return null;
  const expected = allowed ? allowed.join(' or ') : PROVIDERS.join(', ');
  const forChannel = allowed ? ` for channel "${String(channel)}"` : '';
  return {
    path: 'source.provider',
    code: 'invalid_source_provider',
    message: `source.provider "${provider}" is not allowed${forChannel}; expected ${expected}`,
  };
}

const Source = z
  .object({
    channel: z.enum(CHANNELS),
    provider: z.string(),
    endpoint_identity: nonBlank('source.endpoint_identity'),
    sender_identity: nonBlank('source.sender_identity'),
  })
  .strict()
  .superRefine((source, ctx) => {
    const issue = sourcePairIssue(source.channel, source.provider);
    if (issue) ctx.addIssue({ code: 'custom', path: ['provider'], params: { code: issue.code }, message: issue.message });
  });

const Payload = z
  .object({
    content_type: nonBlank('payload.content_type'),
    body: nonBlank('payload.body'),
    sent_at: sentAt,
  })
  .strict();

/** The envelope every message enters the pipeline in (docs/ecosystem.md §8.1). Unknown keys are refused except inside `metadata`. */
export const IngestEnvelopeV1 = z
  .object({
    schema_version: schemaVersion,
    source: Source,
    payload: Payload,
    idempotency_key: nonBlank('idempotency_key', MAX_IDEMPOTENCY_KEY).optional(),
    thread_target: z.object({ thread_id: z.string(), message_id: z.string().optional() }).strict().optional(),
    notification_preferences: z
      .object({
        channel: z.enum(['telegram', 'email']).optional(),
        mode: z.enum(['reply', 'silent']).optional(),
        recipient: z.string().optional(),
      })
      .strict()
      .optional(),
    routing_hints: z
      .object({
        preferred_butlers: z.array(z.string()).optional(),
        exclude_butlers: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type IngestEnvelopeV1 = z.infer<typeof IngestEnvelopeV1>;

export type EnvelopeValidation =
  | { ok: true; value: IngestEnvelopeV1 }
  | { ok: false; issues: ContractIssue[] };

/**
 * Validates an envelope and reports contract issue codes (never zod's raw
 * shape). The channel/provider pair is checked even when other `source`
 * fields are broken, which zod alone would skip.
 */
export function validateEnvelope(input: unknown): EnvelopeValidation {
  const parsed = IngestEnvelopeV1.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = toContractIssues(parsed.error);
  const source = isObject(input) && isObject(input.source) ? input.source : null;
  if (source && !issues.some((i) => i.path === 'source.provider')) {
    const pair = sourcePairIssue(source.channel, source.provider);
    if (pair) issues.push(pair);
  }
  return { ok: false, issues };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Response of `ingest` (docs/ecosystem.md §8.1); `status` stays `accepted` for duplicates. */
export const IngestAccepted = z.object({
  request_id: z.string().uuid(),
  status: z.literal('accepted'),
  duplicate: z.boolean(),
});
export type IngestAccepted = z.infer<typeof IngestAccepted>;

/** The structured content of a refused `ingest` call. */
export const IngestValidationError = z.object({
  error: z.literal('validation_error'),
  details: z.object({
    issues: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).min(1),
  }),
});
export type IngestValidationError = z.infer<typeof IngestValidationError>;
