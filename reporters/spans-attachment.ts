import { z } from 'zod';

export const SPANS_ATTACHMENT_NAME = 'spans';

/** One span as the collector keeps it (staging/collector/otlp-json.ts `CollectedSpan`). */
export const AttachedSpan = z
  .object({
    traceId: z.string().regex(/^[0-9a-f]{32}$/),
    spanId: z.string().regex(/^[0-9a-f]{16}$/),
    parentSpanId: z.string().regex(/^[0-9a-f]{16}$/).nullable(),
    name: z.string(),
    service: z.string(),
    kind: z.enum(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']),
    startMs: z.number(),
    endMs: z.number(),
    durationMs: z.number(),
    attributes: z.record(z.string(), z.unknown()),
    status: z.enum(['unset', 'ok', 'error']),
    statusMessage: z.string().optional(),
    seq: z.number(),
  })
  .passthrough();

/**
 * The `spans` test attachment (JSON) the spans fixture adds to each test
 * attempt: the test's own trace, every span the collector received for the
 * trace id the test created.
 */
export const SpansAttachment = z.object({ traceId: z.string().regex(/^[0-9a-f]{32}$/), spans: z.array(AttachedSpan) }).strict();
export type SpansAttachment = z.infer<typeof SpansAttachment>;
