import {
  Segment,
  SEGMENT_KEYS,
  type ClassificationEntry,
  type ClassificationOutcome,
  type ClassificationWarning,
  type FallbackReason,
  type RegistryEligibility,
} from './classification.ts';

export const FALLBACK_BUTLER = 'general';

/**
 * The single entry used whenever nothing routable came out of the classifier:
 * the original text, unchanged, goes to `general` (docs/ecosystem.md §8.2).
 */
export function classificationFallback(
  text: string,
  reason: FallbackReason,
  warnings: ClassificationWarning[] = [],
): ClassificationOutcome {
  return {
    entries: [{ butler: FALLBACK_BUTLER, prompt: text, segment: { rationale: `fallback: ${reason}` } }],
    fallback: true,
    fallback_reason: reason,
    warnings,
  };
}

/**
 * Parses and validates the classifier's raw answer. Lenient on purpose: model
 * output varies, so bad entries are skipped with a warning and the request
 * never fails — at worst it falls back to `general` with the original text.
 */
export function parseClassification(
  raw: string,
  registry: readonly RegistryEligibility[],
  originalText: string,
): ClassificationOutcome {
  const array = extractJsonArray(raw);
  if (array === null) return classificationFallback(originalText, 'parse_error');
  if (array.length === 0) return classificationFallback(originalText, 'empty');

  const byName = new Map(registry.map((r) => [r.name, r]));
  const entries: ClassificationEntry[] = [];
  const warnings: ClassificationWarning[] = [];
  array.forEach((item, index) => {
    const result = checkEntry(item, index, byName);
    if ('warning' in result) {
      warnings.push(result.warning);
      return;
    }
    entries.push(result.entry);
    if (result.segmentEmpty) {
      warnings.push({ code: 'segment_missing_metadata', index, butler: result.entry.butler });
    }
  });
  if (entries.length === 0) return classificationFallback(originalText, 'no_valid_entries', warnings);
  return { entries, fallback: false, warnings };
}

type EntryCheck =
  | { warning: ClassificationWarning }
  | { entry: ClassificationEntry; segmentEmpty: boolean };

function checkEntry(item: unknown, index: number, registry: Map<string, RegistryEligibility>): EntryCheck {
  if (!isPlainObject(item) || !('butler' in item) || !('prompt' in item) || !('segment' in item)) {
    return { warning: { code: 'entry_missing_keys', index } };
  }
  const butler = typeof item.butler === 'string' ? item.butler : String(item.butler);
  const known = registry.get(butler);
  if (!known) return { warning: { code: 'unknown_butler', index, butler } };
  if (known.eligibility_state !== 'active' || !known.routable) {
    return { warning: { code: 'ineligible_butler', index, butler } };
  }
  if (typeof item.prompt !== 'string' || item.prompt.trim() === '') {
    return { warning: { code: 'empty_prompt', index, butler } };
  }
  const segment = cleanSegment(item.segment);
  return {
    entry: { butler, prompt: item.prompt, segment },
    segmentEmpty: Object.keys(segment).length === 0,
  };
}

/** Keeps only the known segment keys whose values have the right shape; everything else is dropped. */
function cleanSegment(value: unknown): Segment {
  if (!isPlainObject(value)) return {};
  const segment: Record<string, unknown> = {};
  for (const key of SEGMENT_KEYS) {
    if (!(key in value)) continue;
    const parsed = Segment.shape[key].safeParse(value[key]);
    if (parsed.success && parsed.data !== undefined) segment[key] = parsed.data;
  }
  return segment as Segment;
}

/**
 * Finds the JSON array in a model answer: the contents of a code fence when
 * there is one, else the whole text, else its outermost `[`…`]` substring.
 */
export function extractJsonArray(raw: string): unknown[] | null {
  const fenced = /```[^\n`]*\n?([\s\S]*?)```/.exec(raw);
  const text = (fenced ? fenced[1] : raw).trim();
  const whole = tryParse(text);
  if (Array.isArray(whole)) return whole;
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  if (start === -1 || end <= start) return null;
  const outer = tryParse(text.slice(start, end + 1));
  if (Array.isArray(outer)) return outer;
  // Prose after the array may itself hold brackets ("see [1]"); try each balanced [...] in turn.
  for (let at = start; at !== -1; at = text.indexOf('[', at + 1)) {
    const close = matchingBracket(text, at);
    if (close === -1) continue;
    const candidate = tryParse(text.slice(at, close + 1));
    if (Array.isArray(candidate)) return candidate;
  }
  return null;
}

/** Index of the `]` closing the `[` at `open`, skipping brackets inside JSON strings; -1 if none. */
function matchingBracket(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '[') depth++;
    else if (ch === ']' && --depth === 0) return i;
  }
  return -1;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
