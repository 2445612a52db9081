// Date arguments (README.md, Policy): every date the clause writes is read
// first, then each goes to the date property whose name or description shares
// words with what the clause says just before it ("ordered … on 2 May"
// → `ordered_on`, "The day it was ordered"); a range's two ends go to a start and
// an end property; what is left pairs in sentence order with the properties
// left, in schema order. A duration tied to a property's word ("a 3-year
// guarantee" → `guarantee_ends`) counts from the clause's other date, else today.
import { type ClauseState, consume } from './clause-state.ts';
import { RELATIVE_OFFSET, addDuration, today } from './dates.ts';
import { tokenize } from './text.ts';
import type { JsonSchema } from './types.ts';

export const isDateProperty = (p: JsonSchema): boolean => p.format === 'date' || p.format === 'date-time';

// Words every date property's description carries: they say nothing about which date.
const GENERIC = new Set(['day', 'date', 'time', 'yyyy', 'mm', 'dd', 'default', 'today', 'when', 'given', 'iso', 'utc', 'format']);

function propertyWords(key: string, p: JsonSchema): Set<string> {
  const text = `${key.replace(/_/g, ' ')} ${p.description ?? ''}`;
  return new Set(tokenize(text).filter((t) => t.content && !GENERIC.has(t.lower)).map((t) => t.stem));
}

const START = /^(?:start|from|begin|since|check_?in|depart|arriv|open|first)/;
const END = /(?:^|_)(?:end|until|till|to|check_?out|return|finish|close|last|due|expir)/;

function format(p: JsonSchema, iso: string): string {
  return p.format === 'date' ? iso.slice(0, 10) : iso;
}

/** Content stems the clause writes between the previous date (or its start) and this one, at most six. */
function contextBefore(s: ClauseState, index: number): string[] {
  const from = index > 0 ? s.dates[index - 1].end : 0;
  const words = tokenize(s.text.slice(from, s.dates[index].start)).filter((t) => t.content);
  return words.slice(-6).map((t) => t.stem);
}

// The count is digits, "a"/"an", or a number word the tagger read ("two-year").
const NUMBER_WORD = '(\\d+|\\p{L}+)';
const DURATION_RE = new RegExp(`\\b${NUMBER_WORD}[\\s-](day|week|month|year)s?\\b`, 'giu');

/** "a 6-month lease", "3-year guarantee", "membership for 2 years": the duration and the word it measures. */
function durations(s: ClauseState): Array<{ n: number; unit: string; start: number; end: number; near: string[] }> {
  const out: Array<{ n: number; unit: string; start: number; end: number; near: string[] }> = [];
  for (const m of s.text.matchAll(DURATION_RE)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    const raw = m[1].toLowerCase();
    const word = s.nlp.numberWords.find((w) => w.start === start);
    const n = /^\d+$/.test(raw) ? Number(raw) : /^an?$/.test(raw) ? 1 : word?.value;
    if (n === undefined) continue;
    const after = tokenize(s.text.slice(end, end + 30)).filter((t) => t.content).slice(0, 1);
    const before = tokenize(s.text.slice(Math.max(0, start - 30), start)).filter((t) => t.content).slice(-1);
    out.push({ n, unit: m[2], start, end, near: [...after, ...before].map((t) => t.stem) });
  }
  return out;
}

/**
 * Fills the date properties of `keys` into `values` and consumes every date
 * span, so their digits are not read as other numbers.
 */
export function assignDates(keys: string[], props: Record<string, JsonSchema>, s: ClauseState, values: Map<string, unknown>): void {
  const fields = keys.filter((k) => isDateProperty(props[k]) && !values.has(k));
  // Every date's digits are the date's, except an offset ("after 2 hours") no date property takes.
  for (const d of s.dates) if (fields.length > 0 || !RELATIVE_OFFSET.test(d.text)) consume(s, d.start, d.end);
  if (fields.length === 0) return;
  const words = new Map(fields.map((k) => [k, propertyWords(k, props[k])]));
  const free = new Set(fields);
  const set = (k: string, iso: string): void => {
    values.set(k, format(props[k], iso));
    free.delete(k);
  };
  const used = new Set<number>();
  // A range ("from March 3 to March 6") fills a start and an end property.
  s.dates.forEach((d, i) => {
    if (!d.endIso || free.size < 2) return;
    const open = fields.filter((k) => free.has(k));
    const first = open.find((k) => START.test(k)) ?? open[0];
    const last = open.find((k) => k !== first && END.test(k)) ?? open.find((k) => k !== first);
    if (!last) return;
    set(first, d.iso);
    set(last, d.endIso);
    used.add(i);
  });
  // Each remaining date to the property its preceding words name best.
  const pairs: Array<{ i: number; k: string; score: number }> = [];
  s.dates.forEach((_, i) => {
    if (used.has(i)) return;
    const context = contextBefore(s, i);
    for (const k of fields) {
      const w = words.get(k) ?? new Set<string>();
      const score = context.filter((c) => w.has(c)).length;
      if (score > 0) pairs.push({ i, k, score });
    }
  });
  pairs.sort((a, b) => b.score - a.score || a.i - b.i || fields.indexOf(a.k) - fields.indexOf(b.k));
  for (const { i, k } of pairs) {
    if (used.has(i) || !free.has(k)) continue;
    set(k, s.dates[i].iso);
    used.add(i);
  }
  // A duration that measures a property's word counts from the clause's date.
  const base = s.dates.find((_, i) => used.has(i))?.iso ?? s.dates[0]?.iso ?? today(s.now);
  for (const d of durations(s)) {
    const k = fields.find((f) => free.has(f) && d.near.some((w) => words.get(f)?.has(w)));
    if (!k) continue;
    set(k, addDuration(base, d.n, d.unit));
    consume(s, d.start, d.end);
  }
  // What is left: in sentence order to the properties left, in schema order.
  s.dates.forEach((d, i) => {
    if (used.has(i)) return;
    const k = fields.find((f) => free.has(f));
    if (!k) return;
    set(k, d.iso);
    used.add(i);
  });
}

/** A required date property nothing filled: today at 09:00 UTC. */
export function fallbackDate(p: JsonSchema, s: ClauseState): string {
  return format(p, today(s.now));
}
