// Dates written in a clause, read by chrono-node ("on 14 October", "the 3rd of
// September", "next Friday at 6pm", "from March 3 to March 6", ISO timestamps),
// plus "the 20th" (a day of the current month). A day without a written time is
// 09:00 UTC. A date whose year (or month) is not written and lands in the future
// of a clause told in the past tense ("planted … on April 12th") moves back one
// year (or month): a model reads the tense, chrono alone picks the nearest.
import * as chrono from 'chrono-node';
import type { ParsedComponents, ParsedResult } from 'chrono-node';
import { analyse } from './nlp.ts';

/** A date found in a clause, with the span it was read from. */
export interface FoundDate {
  iso: string;
  start: number;
  end: number;
}

/** One date (or range) written in a clause; offsets are into the clause. */
export interface DateMention extends FoundDate {
  /** The range's end ("to March 6"), when the clause wrote one. */
  endIso?: string;
  /** The text chrono read. */
  text: string;
}

// "the 20th", "on the 3rd": a day of the reference month.
const ORDINAL_DAY = /\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?\p{L})/iu;

const parser = chrono.casual.clone();
parser.parsers.push({
  pattern: () => ORDINAL_DAY,
  extract: (context, match) => {
    const day = Number(match[1]);
    if (day < 1 || day > 31) return null;
    const ref = context.reference.instant;
    const components = context.createParsingComponents({ day });
    components.imply('month', ref.getUTCMonth() + 1);
    components.imply('year', ref.getUTCFullYear());
    return components;
  },
});

// In a clause told in the past, a bare sub-day duration ("ran 5 km in 30
// minutes") is how long something took, not when; "remind me in 2 hours" is a time.
const DURATION_ONLY = /^(?:in|for|within)\s+(?:an?|\d+(?:\.\d+)?)\s+(?:seconds?|minutes?|mins?|hours?|hrs?)$/i;
// "3/10", "12/5": a score or a ratio as often as a day, and US and European readers disagree on which day.
const BARE_SLASH = /^\d{1,2}\/\d{1,2}$/;
/** An offset from now ("after 2 hours", "in 3 days"): its number is the duration's, so it is left to a date property alone. */
export const RELATIVE_OFFSET = /^(?:in|after|within|for)\s+\d/i;

function toUtc(c: ParsedComponents): Date {
  const time = c.isCertain('hour');
  return new Date(
    Date.UTC(
      c.get('year') ?? 1970,
      (c.get('month') ?? 1) - 1,
      c.get('day') ?? 1,
      time ? (c.get('hour') ?? 9) : 9,
      time ? (c.get('minute') ?? 0) : 0,
      time ? (c.get('second') ?? 0) : 0,
    ),
  );
}

type Tense = 'past' | 'future' | 'present';

/**
 * Moves an inferred year or month to the side the clause's tense points at:
 * back for what happened ("planted … on April 12th"), ahead for what is planned
 * ("going to Lisbon from March 3").
 */
function towardsTense(c: ParsedComponents, date: Date, now: Date, tense: Tense): Date {
  const wrongSide = (tense === 'past' && date > now) || (tense === 'future' && date < now);
  if (!wrongSide) return date;
  const step = tense === 'past' ? -1 : 1;
  const out = new Date(date);
  if (!c.isCertain('year') && c.isCertain('month')) out.setUTCFullYear(out.getUTCFullYear() + step);
  else if (!c.isCertain('month') && c.isCertain('day')) out.setUTCMonth(out.getUTCMonth() + step);
  return out;
}

// A date a past clause looks ahead to ("booked a table for June 10", "valid until May") keeps chrono's reading.
const AIMED = /\b(?:for|until|till|by|to|before|from|next|due)\s+(?:the\s+)?$/i;

function mention(r: ParsedResult, text: string, now: Date, tense: Tense): DateMention {
  const own = tense === 'past' && AIMED.test(text.slice(Math.max(0, r.index - 12), r.index)) ? 'present' : tense;
  const start = towardsTense(r.start, toUtc(r.start), now, own);
  const end = r.end ? towardsTense(r.end, toUtc(r.end), now, own) : undefined;
  // "to March 6" after "from March 3" in the same year as its start.
  if (end && end < start && !r.end?.isCertain('year')) end.setUTCFullYear(start.getUTCFullYear() + (end.getUTCMonth() < start.getUTCMonth() ? 1 : 0));
  return { iso: start.toISOString(), endIso: end?.toISOString(), start: r.index, end: r.index + r.text.length, text: r.text };
}

// English markers of what is still to come.
const FUTURE = /\b(?:will|shall|going to|gonna|planning|plan to|next|upcoming|remind|due|schedule)\b/i;

const cache = new Map<string, DateMention[]>();
const wholes: Array<{ text: string; now: number; found: DateMention[] }> = [];

/** Reads the dates of a whole prompt once; its clauses then take the dates inside them (see nlp.ts readWhole). */
export function readWholeDates(text: string, now: Date): void {
  if (wholes.some((w) => w.text === text && w.now === now.getTime())) return;
  wholes.push({ text, now: now.getTime(), found: parse(text, now) });
  if (wholes.length > 50) wholes.shift();
}

/** Every date written in `text`, in order; relative ones ("tomorrow") against `now`. */
export function dateMentions(text: string, now: Date): DateMention[] {
  const key = `${now.toISOString()}|${text}`;
  let found = cache.get(key);
  if (!found) {
    const whole = [...wholes].reverse().find((w) => w.now === now.getTime() && w.text.includes(text));
    if (whole) {
      const at = whole.text.indexOf(text);
      found = whole.found
        .filter((m) => m.start >= at && m.end <= at + text.length)
        .map((m) => ({ ...m, start: m.start - at, end: m.end - at }));
    } else found = parse(text, now);
    if (cache.size >= 500) cache.delete(cache.keys().next().value as string);
    cache.set(key, found);
  }
  return found.map((m) => ({ ...m }));
}

// Words without which chrono finds nothing: checked first, as chrono's many parsers are the double's slowest step.
const MAY_HOLD_DATE =
  /\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b(?:today|tonight|tomorrow|yesterday|now|noon|midnight|morning|afternoon|evening|night|week|weekend|fortnight|month|year|day|hour|minute|ago|later|soon|christmas|easter)s?\b/i;

function parse(text: string, now: Date): DateMention[] {
  if (!MAY_HOLD_DATE.test(text)) return [];
  const ahead = FUTURE.test(text);
  const tense: Tense = ahead ? 'future' : analyse(text).past ? 'past' : 'present';
  return parser
    .parse(text, { instant: now, timezone: 0 })
    .filter((r) => !(tense === 'past' && DURATION_ONLY.test(r.text.trim())) && !BARE_SLASH.test(r.text.trim()))
    .map((r) => mention(r, text, now, tense));
}

/** Today at 09:00 UTC: the date a required date argument gets when none is written. */
export function today(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 9)).toISOString();
}

/** The first date in `text`; `fallback` asks for today 09:00 UTC when none is written. */
export function findDate(text: string, now: Date, fallback: boolean): FoundDate | null {
  const first = dateMentions(text, now)[0];
  if (first) return first;
  return fallback ? { iso: today(now), start: text.length, end: text.length } : null;
}

/** Spans dates occupy, so their digits are not taken for other numbers. */
export function dateSpans(text: string, now: Date): Array<[number, number]> {
  return dateMentions(text, now).map((m) => [m.start, m.end]);
}

const UNIT_DAYS: Record<string, number> = { day: 1, week: 7 };

/** `iso` moved by `n` days, weeks, months or years (calendar arithmetic in UTC). */
export function addDuration(iso: string, n: number, unit: string): string {
  const d = new Date(iso);
  const u = unit.toLowerCase().replace(/s$/, '');
  if (u === 'month') d.setUTCMonth(d.getUTCMonth() + n);
  else if (u === 'year') d.setUTCFullYear(d.getUTCFullYear() + n);
  else d.setUTCDate(d.getUTCDate() + n * (UNIT_DAYS[u] ?? 0));
  return d.toISOString();
}
