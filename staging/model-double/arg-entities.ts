// Names, organisations, places and free-text rows of the argument table
// (README.md, Policy), read with the tagger (nlp.ts): a value written next to
// the property's own word ("flight BA117", "Hilton hotel"), proper names for
// properties whose examples are proper names (a brand, a variety), who did
// something (a person, a company, an occupation), where (a place, or the
// phrase after "in"/"at"), and notes from what no other argument used.
import { type ClauseState, consume, freeTextAfter, isConsumed, tidy } from './clause-state.ts';
import type { Entity } from './nlp.ts';
import { currencyCode } from './money.ts';
import { stem, tokenize } from './text.ts';
import type { JsonSchema } from './types.ts';

const stringExamples = (p: JsonSchema): string[] =>
  (p.examples ?? []).filter((e): e is string => typeof e === 'string' && e.trim() !== '');

const describe = (key: string, p: JsonSchema): string => `${key.replace(/_/g, ' ')} ${p.description ?? ''}`;

function take(s: ClauseState, e: Entity): string {
  consume(s, e.start, e.end);
  return e.text;
}

const free = (s: ClauseState, list: Entity[]): Entity[] =>
  list.filter((e) => !isConsumed(s, e.start, e.end) && !s.claimed.some(([a, b]) => e.start < b && a < e.end) && !currencyCode(e.text));

// Property names too general to point at a value of their own ("name Ann" is rare; "the name" common).
const GENERAL_KEYS = new Set(['name', 'text', 'title', 'notes', 'note', 'value', 'kind', 'type', 'key', 'description', 'details', 'unit', 'units', 'date', 'day', 'time']);
const CODE = /^(?:["“]([^"”]+)["”]|([A-Za-z]*\d[\w-]*|[A-Z]{2,}[\w-]*))/;

/** A value written right after the property's word ("flight BA117", "ref: X") or a proper name right before it ("Hilton hotel"). */
export function fromNamedValue(key: string, s: ClauseState): string | undefined {
  const keyStems = key.split('_').filter((w) => w.length > 2 && !GENERAL_KEYS.has(w)).map(stem);
  if (keyStems.length === 0) return undefined;
  const proper = free(s, s.nlp.proper);
  for (const t of tokenize(s.text)) {
    if (!keyStems.includes(t.stem)) continue;
    const rest = s.text.slice(t.end);
    const lead = /^\s*(?:[:#=]|no\.?|number)?\s*/i.exec(rest)?.[0] ?? '';
    const at = t.end + lead.length;
    const after = proper.find((e) => e.start === at);
    if (after) return take(s, after);
    const code = CODE.exec(s.text.slice(at));
    if (code && lead.length > 0 && !isConsumed(s, at, at + code[0].length)) {
      consume(s, at, at + code[0].length);
      return code[1] ?? code[2];
    }
    const before = proper.find((e) => /^\s+$/.test(s.text.slice(e.end, t.start)));
    if (before) return take(s, before);
  }
  return undefined;
}

/** Examples that are all proper names ("Bosch", "San Marzano"): the property wants one. */
export function wantsProperName(p: JsonSchema): boolean {
  const examples = stringExamples(p);
  return examples.length > 0 && examples.every((e) => /^\p{Lu}/u.test(e) && !/^[A-Z]{3}$/.test(e));
}

/** A proper name, not a place's unless nothing else is named ("with Alitalia" over "to Rome"). */
export function fromProperName(s: ClauseState, agentWanted = false): string | undefined {
  const isPlace = (e: Entity): boolean => s.nlp.places.some((p) => p.start < e.end && e.start < p.end);
  // "from Collins", "by Acme": the source or the agent, left for the property that asks who, when there is one.
  const isAgent = (e: Entity): boolean => agentWanted && /\b(?:by|from|with)\s+(?:the\s+)?$/i.test(s.text.slice(Math.max(0, e.start - 10), e.start));
  const names = free(s, s.nlp.proper).filter((e) => !isAgent(e));
  const first = names.find((e) => !isPlace(e)) ?? names[0];
  return first ? take(s, first) : undefined;
}

const ORGANISATION = /\b(?:company|business|firm|contractor|organi[sz]ation|shop|store|merchant|vendor|seller|payee|supplier|provider|who)\b/i;

/** The property names who did something: a person or an organisation. */
export function namesAgent(key: string, p: JsonSchema): boolean {
  return ORGANISATION.test(describe(key, p));
}

/** Who: the agent after "by", else an organisation or other proper name, else an occupation ("the dentist"). */
export function fromAgent(s: ClauseState): string | undefined {
  const named = free(s, [...s.nlp.people, ...s.nlp.organisations, ...s.nlp.proper, ...s.nlp.actors]);
  const byAgent = named.find((e) => /\bby\s+(?:the\s+|a\s+|an\s+)?$/i.test(s.text.slice(Math.max(0, e.start - 8), e.start)));
  if (byAgent) return take(s, byAgent);
  const [first] = named.filter((e) => e.start > 0 || !s.nlp.actors.includes(e) || named.length === 1);
  return first ? take(s, first) : undefined;
}

/** Names kept for a person: a capitalised run at the clause's start that the tagger reads as a common noun ("Invoice paid…") is not one. */
export function personNames(s: ClauseState): Entity[] {
  const tagged = [...s.nlp.people, ...s.nlp.organisations, ...s.nlp.proper, ...s.nlp.places];
  return s.names.filter((n) => !isConsumed(s, n.start, n.end) && (n.start > 0 || tagged.some((e) => e.start < n.end && n.start < e.end)));
}

const PLACE = /\b(?:where|location|place|room|venue|city|town|country|destination|site)\b/i;

export function namesPlace(key: string, p: JsonSchema): boolean {
  return PLACE.test(describe(key, p));
}

const LOCATIVE = /\b(?:in|at|into|inside|on|near|under|behind|outside)\s+/gi;

/** Where: a place the tagger knows, else the words after "in"/"at"/"on"… up to a comma or a used span. */
export function fromPlace(s: ClauseState): string | undefined {
  const [place] = free(s, s.nlp.places);
  if (place) return take(s, place);
  for (const m of s.text.matchAll(LOCATIVE)) {
    const from = (m.index ?? 0) + m[0].length;
    if (isConsumed(s, m.index ?? 0, from)) continue;
    let to = s.text.slice(from).search(/[,;.!?]/);
    to = to < 0 ? s.text.length : from + to;
    const cut = s.consumed.filter(([a, b]) => b > from && a < to).map(([a]) => Math.max(a, from));
    if (cut.length > 0) to = Math.min(...cut);
    const text = tidy(s.text.slice(from, to), true);
    if (!tokenize(text).some((t) => t.content)) continue;
    const start = s.text.indexOf(text, from);
    consume(s, start, start + text.length);
    return text;
  }
  return undefined;
}

const NOTES_KEY = /^(?:notes?|comments?|details|remarks|memo)$/i;
const NOTES_DESCRIPTION = /\b(?:free[- ]text|details|anything else|notes?|comments?|remarks)\b/i;

/** A free-text property for whatever else the owner said. */
export function namesNotes(key: string, p: JsonSchema): boolean {
  return (NOTES_KEY.test(key) || NOTES_DESCRIPTION.test(p.description ?? '')) && stringExamples(p).length === 0 && !p.format && !p.enum;
}

/** What no other argument used (nor repeats a value taken), when it says something (two content words or more). */
export function fromLeftover(s: ClauseState, taken: unknown[]): string | undefined {
  const view: ClauseState = { ...s, consumed: [...s.consumed] };
  for (const v of taken) {
    if (typeof v !== 'string' || v === '') continue;
    const at = s.text.indexOf(v);
    if (at >= 0) view.consumed.push([at, at + v.length]);
  }
  const text = freeTextAfter(view, s.intentEnd ?? 0);
  return tokenize(text).filter((t) => t.content).length >= 2 ? text : undefined;
}

/**
 * The thing a property with examples names, out of a free-text fragment: the
 * words after "<measure> of" when a count precedes ("two boxes of pens" →
 * "pens"), else the fragment's first noun phrase ("tickets were booked" →
 * "tickets").
 */
const DURATION_NOUN = /^(?:an?|the|\d+|\p{L}+)\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)$/iu;

export function nounOf(s: ClauseState, fragment: string): string {
  const at = s.text.indexOf(fragment);
  if (at < 0) return fragment;
  const counted =
    /\b(?:a|an)\s+$/i.test(s.text.slice(0, at)) || s.numbers.some((n) => n.used && n.end <= at && /^\s*$/.test(s.text.slice(n.end, at)));
  const partitive = /^\p{L}+\s+of\s+(.+)$/u.exec(fragment);
  if (partitive && counted) return partitive[1];
  const end = at + fragment.length;
  // "an hour", "two days": how long, not what.
  const first = s.nlp.nouns.find((n) => n.start < end && at < n.end && !DURATION_NOUN.test(n.text));
  if (!first) return fragment;
  const words = tidy(s.text.slice(Math.max(at, first.start), Math.min(end, first.end)));
  return words === '' ? fragment : words;
}
