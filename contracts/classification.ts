import { z } from 'zod';

/** Where in the message an entry came from; every key is optional metadata. */
export const Segment = z.object({
  sentence_spans: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])).optional(),
  offsets: z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }).optional(),
  rationale: z.string().optional(),
});
export type Segment = z.infer<typeof Segment>;

export const SEGMENT_KEYS = ['sentence_spans', 'offsets', 'rationale'] as const;

/** One routing decision of the classifier: which butler gets which self-contained prompt. */
export const ClassificationEntry = z.object({
  butler: z.string().min(1),
  prompt: z.string().min(1),
  segment: Segment,
});
export type ClassificationEntry = z.infer<typeof ClassificationEntry>;

export const FALLBACK_REASONS = ['parse_error', 'empty', 'no_valid_entries', 'llm_error', 'timeout'] as const;
export const FallbackReason = z.enum(FALLBACK_REASONS);
export type FallbackReason = z.infer<typeof FallbackReason>;

export const WARNING_CODES = [
  'entry_missing_keys',
  'unknown_butler',
  'ineligible_butler',
  'empty_prompt',
  'segment_missing_metadata',
] as const;

/** A soft problem with one entry of the classifier's answer; the entry index is 0-based. */
export const ClassificationWarning = z.object({
  code: z.enum(WARNING_CODES),
  index: z.number().int().nonnegative().optional(),
  butler: z.string().optional(),
});
export type ClassificationWarning = z.infer<typeof ClassificationWarning>;

/** What the butler registry tells the parser about each name. */
export interface RegistryEligibility {
  name: string;
  eligibility_state: string;
  routable: boolean;
}

/** Outcome of parsing a classification answer (docs/ecosystem.md §8.2). */
export const ClassificationOutcome = z.object({
  entries: z.array(ClassificationEntry).min(1),
  fallback: z.boolean(),
  fallback_reason: FallbackReason.optional(),
  warnings: z.array(ClassificationWarning),
});
export type ClassificationOutcome = z.infer<typeof ClassificationOutcome>;

/** Result of the switchboard's `classify` tool: the parse outcome plus the session that produced it. */
export const ClassifyResult = ClassificationOutcome.extend({
  session_id: z.string().uuid().nullable(),
});
export type ClassifyResult = z.infer<typeof ClassifyResult>;
