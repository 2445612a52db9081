// Free-text rows of the argument table: doses and frequencies, subject keys,
// any other string, and any JSON value.
import { type ClauseState, consume, freeTextAfter, tidy, useNumber } from './clause-state.ts';
import { quoted } from './arg-signals.ts';
import { isStopWord, snakeCase } from './text.ts';
import type { JsonSchema } from './types.ts';

const FREQUENCY_RE = new RegExp(
  [
    '\\b(?:once|twice|thrice|\\d+\\s+times|(?:one|two|three|four)\\s+times)\\s+(?:a\\s+|per\\s+|each\\s+)?(?:day|daily|week|weekly|month|monthly|hour|night|morning|evening)\\b',
    '\\bevery\\s+(?:\\d+\\s+|other\\s+|few\\s+)?(?:hours?|days?|weeks?|months?|mornings?|evenings?|nights?)\\b',
    '\\b(?:daily|weekly|monthly|hourly|nightly|at bedtime|before bed|with meals|as needed)\\b',
  ].join('|'),
  'i',
);
const COMMON_UNITS = ['mg', 'mcg', 'µg', 'g', 'kg', 'ml', 'l', 'iu', 'units?', 'tablets?', 'pills?', 'capsules?', 'puffs?', 'drops?', 'oz', 'lbs?', 'cups?', 'tbsp', 'tsp'];

const DOSE_DESCRIPTION = /\b(dose|dosage|amount|quantity|strength)\b/i;
const FREQUENCY_DESCRIPTION = /\b(frequency|how often)\b/i;

function stringExamples(p: JsonSchema): string[] {
  return (p.examples ?? []).filter((e): e is string => typeof e === 'string');
}

/** The property is about a dose, an amount or a frequency (by description, or by numeric examples). */
export function namesDoseOrFrequency(p: JsonSchema): boolean {
  const d = p.description ?? '';
  return DOSE_DESCRIPTION.test(d) || FREQUENCY_DESCRIPTION.test(d) || stringExamples(p).some((e) => /\d/.test(e));
}

export function fromDoseOrFrequency(p: JsonSchema, s: ClauseState): string | undefined {
  const examples = stringExamples(p);
  const wantsFrequency =
    FREQUENCY_DESCRIPTION.test(p.description ?? '') || examples.some((e) => FREQUENCY_RE.test(e));
  if (wantsFrequency) {
    const m = FREQUENCY_RE.exec(s.text);
    if (!m) return undefined;
    consume(s, m.index, m.index + m[0].length);
    return m[0].toLowerCase();
  }
  const exampleUnits = examples.map((e) => /^\s*\d+(?:\.\d+)?\s*([\p{L}µ]+)\s*$/u.exec(e)?.[1]).filter(Boolean);
  const units = [...new Set([...exampleUnits.map((u) => String(u).toLowerCase()), ...COMMON_UNITS])];
  const re = new RegExp(`(-?\\d+(?:\\.\\d+)?)\\s?(${units.join('|')})(?![\\p{L}])`, 'iu');
  const m = re.exec(s.text);
  if (!m) return undefined;
  const n = s.numbers.find((x) => x.start === m.index && !x.used);
  if (n) useNumber(s, n);
  consume(s, m.index, m.index + m[0].length);
  return `${m[1]}${m[2]}`;
}

const KEY_DESCRIPTION = /\b(key|snake[_ ]?case|short name|identifier)\b/i;

export function namesKey(key: string, p: JsonSchema): boolean {
  return key === 'key' || KEY_DESCRIPTION.test(p.description ?? '');
}

/** Words after "my" (else "the") up to " is ", snake_cased: the subject a fact is about. */
export function fromKey(s: ClauseState): string | undefined {
  const m = /\bmy\s+(.+?)(?=\s+(?:is|are|was|were|=)\s|[.,;:!?]|$)/i.exec(s.text) ??
    /\bthe\s+(.+?)(?=\s+(?:is|are|was|were|=)\s|[.,;:!?]|$)/i.exec(s.text);
  let words = m ? m[1] : tidy(s.intentEnd !== null ? s.text.slice(s.intentEnd) : '');
  words = words
    .split(/\s+/)
    .filter((w) => !isStopWord(w))
    .slice(0, 5)
    .join(' ');
  const key = snakeCase(words);
  return key === '' ? undefined : key;
}

/** Any other string: a quoted string, else the words after the matched intent, else the clause. */
export function fromGenericString(s: ClauseState): string {
  const q = quoted(s.text);
  if (q) return q;
  if (s.intentEnd !== null) {
    const after = freeTextAfter(s, s.intentEnd);
    if (after !== '') return after;
  }
  return tidy(s.text) || s.text.trim();
}

/** Any JSON value: the text after " is " up to punctuation, parsed as JSON when it parses. */
export function fromJsonValue(s: ClauseState): unknown {
  const tail = '\\s+(.+?)(?=[,;!?]|\\.(?:\\s|$)|$)';
  const m = new RegExp(`\\s(?:is|are|=)${tail}`, 'i').exec(s.text) ?? new RegExp(`\\sto${tail}`, 'i').exec(s.text);
  const raw = m ? m[1].trim() : fromGenericString(s);
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
