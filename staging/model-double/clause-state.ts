// What argument extraction knows about one clause while it fills a call:
// its numbers (used or not), the spans other arguments consumed, and names.
import { type DateMention, dateMentions } from './dates.ts';
import { type MoneyMention, amountValue, moneyMentions } from './money.ts';
import { type Analysis, analyse } from './nlp.ts';
import type { Span } from './sentences.ts';

/** A number written in the clause, with its position. */
export interface ClauseNumber {
  value: number;
  start: number;
  end: number;
  used: boolean;
}

/** Mutable per-call extraction state over one clause. */
export interface ClauseState {
  text: string;
  /** Proper names inside the clause, clause-relative offsets. */
  names: Span[];
  /** Clause-relative offset where the matched intent ends, when one matched. */
  intentEnd: number | null;
  now: Date;
  numbers: ClauseNumber[];
  consumed: Array<[number, number]>;
  /** Names an argument took but free text may still quote ("phone Aunt Mae and …"): no other name argument takes them. */
  claimed: Array<[number, number]>;
  /** End offset of the number most recently used by an argument. */
  lastNumberEnd: number | null;
  /** Dates and amounts of money written in the clause, in order. */
  dates: DateMention[];
  money: MoneyMention[];
  /** What the tagger reads in the clause (names, places, occupations, tense). */
  nlp: Analysis;
}

// Thousands separators ("1,099") belong to the number; a comma then a space is a list.
const NUMBER_RE = /(?<![\p{L}\p{N}.,])-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?/gu;

export function clauseState(text: string, names: Span[], intentEnd: number | null, now: Date): ClauseState {
  const nlp = analyse(text);
  const digits = [...text.matchAll(NUMBER_RE)].map((m) => ({
    value: amountValue(m[0]),
    start: m.index ?? 0,
    end: (m.index ?? 0) + m[0].length,
    used: false,
  }));
  // Numbers written as words ("two rows"), unless part of a phrase such as "one of".
  const words = nlp.numberWords
    .filter((w) => !/^\s+of\b/i.test(text.slice(w.end)) && !digits.some((d) => d.start < w.end && w.start < d.end))
    .map((w) => ({ value: w.value, start: w.start, end: w.end, used: false }));
  const numbers = [...digits, ...words].sort((a, b) => a.start - b.start);
  const state: ClauseState = {
    text, names, intentEnd, now, numbers, consumed: [], claimed: [], lastNumberEnd: null,
    dates: dateMentions(text, now),
    money: moneyMentions(text),
    nlp,
  };
  return state;
}

/** Whether [start, end) overlaps a span some argument already took. */
export function isConsumed(state: ClauseState, start: number, end: number): boolean {
  return state.consumed.some(([s, e]) => start < e && s < end);
}

export function consume(state: ClauseState, start: number, end: number): void {
  state.consumed.push([start, end]);
  for (const n of state.numbers) if (n.start >= start && n.end <= end) n.used = true;
}

export function useNumber(state: ClauseState, n: ClauseNumber): number {
  n.used = true;
  state.consumed.push([n.start, n.end]);
  state.lastNumberEnd = n.end;
  return n.value;
}

/**
 * The clause text after `from` with consumed spans cut out; the longest
 * remaining fragment wins ("by email that the parcel arrived" → the part
 * about the parcel, not "by").
 */
export function freeTextAfter(state: ClauseState, from: number): string {
  const cuts = state.consumed.filter(([, e]) => e > from).sort((a, b) => a[0] - b[0]);
  const fragments: string[] = [];
  let at = from;
  for (const [s, e] of cuts) {
    if (s > at) fragments.push(tidy(state.text.slice(at, s), true));
    at = Math.max(at, e);
  }
  fragments.push(tidy(state.text.slice(at)));
  const words = (t: string): number => (t === '' ? 0 : t.split(/\s+/).length);
  return fragments.reduce((best, f) => (words(f) > words(best) ? f : best), '');
}

const TRAILING_PUNCTUATION = /[\s,;:.!?\-–—]+$/u;
// Prepositions left dangling where a consumed span ("by email", "at 6pm") was cut out.
const DANGLING = /(?:[\s,;:.!?\-–—]+|\s+(?:by|at|on|in|into|for|with|to|and|or|via|of|from|the|a|an|my|our|your))+$/iu;
const LEADING_FILLER = /^(?:[\s:,;.\-–—]+|(?:me|to|that|about|for|of|a|an|the|my|is|was|are|as|with|on|in|at|by|from|some)\b)+/i;

/** Strips leading filler words and trailing punctuation (and dangling prepositions before a cut). */
export function tidy(fragment: string, beforeCut = false): string {
  let s = fragment.trim();
  let prev = '';
  while (prev !== s) {
    prev = s;
    s = s.replace(LEADING_FILLER, '').trim();
  }
  return s.replace(beforeCut ? DANGLING : TRAILING_PUNCTUATION, '').trim();
}
