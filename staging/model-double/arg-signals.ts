// One extractor per row of the argument table (README.md, Policy).
// Each returns undefined when its signal yields nothing for the property.
import { type ClauseState, consume, useNumber } from './clause-state.ts';
import { findPhrase, isStopWord, snakeCase, stem, toPhrase, tokenize } from './text.ts';
import type { JsonSchema } from './types.ts';

const stringExamples = (p: JsonSchema): string[] =>
  (p.examples ?? []).filter((e): e is string => typeof e === 'string' && e.trim() !== '');

export function types(p: JsonSchema): string[] {
  return Array.isArray(p.type) ? p.type : p.type ? [p.type] : [];
}

export function fromEnum(p: JsonSchema, s: ClauseState): unknown {
  const tokens = tokenize(s.text);
  for (const value of p.enum ?? []) {
    const phrase = toPhrase(String(value));
    const at = findPhrase(tokens, phrase);
    if (at) {
      consume(s, tokens[at.from].start, tokens[at.to].end);
      return value;
    }
  }
  return undefined;
}

/** Unit-like examples (kg, mmHg): the property says "unit", or every example is a tiny token. */
export function isUnitLike(key: string, p: JsonSchema): boolean {
  const examples = stringExamples(p);
  if (examples.length === 0 || examples.some((e) => /\s|\d/.test(e))) return false;
  return /\bunits?\b/i.test(`${key.replace(/_/g, ' ')} ${p.description ?? ''}`) || examples.every((e) => e.length <= 3);
}

/** The first example written in the clause; a place's example keeps a number written after it ("gate 12"). */
export function fromTermExamples(p: JsonSchema, s: ClauseState, place = false): unknown {
  const examples = stringExamples(p);
  if (examples.length === 0 || examples.some((e) => /\d/.test(e))) return undefined;
  const tokens = tokenize(s.text);
  // Kind-like lists (no spaces, or already snake_cased) come back snake_cased; phrases as written.
  const snake = examples.every((e) => !/\s/.test(e)) || examples.some((e) => e.includes('_'));
  for (const example of examples) {
    const at = findPhrase(tokens, toPhrase(example));
    if (!at) continue;
    const start = tokens[at.from].start;
    let end = tokens[at.to].end;
    // "gate 12 at …": the number names which one, when no unit word follows it.
    const numbered = place ? /^\s+(\d+)(?=\s*(?:$|[,;.!?]|\s(?:on|at|in|by|with|for|from|to|and)\b))/i.exec(s.text.slice(end)) : null;
    const which = numbered ? s.numbers.find((n) => !n.used && n.start === end + numbered[0].length - numbered[1].length) : undefined;
    if (which) {
      useNumber(s, which);
      consume(s, start, which.end);
      return `${example} ${numbered?.[1]}`;
    }
    consume(s, start, end);
    // Proper-name examples ("Hilton", "San Marzano") come back as the clause writes them.
    if (examples.every((e) => /^\p{Lu}/u.test(e))) return s.text.slice(start, end);
    return snake ? snakeCase(example) : example;
  }
  return undefined;
}

/** A unit: an example written in the clause, else the short word after the last number (any word, when required: "4 croissants"). */
export function fromUnitExamples(p: JsonSchema, s: ClauseState, required = false): unknown {
  const examples = stringExamples(p);
  const canonical = (word: string): string | undefined =>
    examples.find((e) => e.toLowerCase() === word.toLowerCase() || stem(e) === stem(word));
  if (s.lastNumberEnd !== null) {
    const after = s.text.slice(s.lastNumberEnd).replace(/^\s*(?:\/\s*\d+(?:\.\d+)?\s*)*/, '');
    const m = /^[°%\p{L}][\p{L}\p{N}°%²³]*/u.exec(after.trimStart());
    if (m) {
      const known = canonical(m[0]);
      if (known) return known;
      if (m[0].length <= 5 && !isStopWord(m[0]) && !/^(today|tonight)$/i.test(m[0])) return m[0];
    }
  }
  const counted = required && s.lastNumberEnd !== null ? /^\s*(\p{L}+)/u.exec(s.text.slice(s.lastNumberEnd)) : null;
  const noun = counted && !isStopWord(counted[1]) ? counted[1] : undefined;
  for (const t of tokenize(s.text)) {
    const known = canonical(t.raw);
    if (known) return known;
  }
  return noun;
}

function isScale(p: JsonSchema): boolean {
  return typeof p.maximum === 'number' && p.maximum <= 10 && (p.minimum ?? 0) >= 0;
}

function numberFits(p: JsonSchema): (v: number) => boolean {
  return (v) => (p.minimum === undefined || v >= p.minimum) && (p.maximum === undefined || v <= p.maximum);
}

const asType = (p: JsonSchema, v: number): number => (types(p).includes('integer') ? Math.round(v) : v);

/**
 * A number the clause ties to this property: "N out of 10" on a 0–10 scale,
 * or the number right after the property's name ("intensity 8").
 */
export function fromNamedNumber(key: string, p: JsonSchema, s: ClauseState): number | undefined {
  const fits = numberFits(p);
  const free = s.numbers.filter((n) => !n.used);
  const scaleMax = p.maximum ?? 10;
  const outOf = isScale(p)
    ? new RegExp(`(-?\\d+(?:\\.\\d+)?)\\s*(?:out of|/)\\s*${scaleMax}\\b`, 'i').exec(s.text)
    : null;
  const nameWords = key.split(/[_\s]+/).filter((w) => w.length > 2).map((w) => w.toLowerCase());
  const named = nameWords.length
    ? new RegExp(`\\b(?:${nameWords.join('|')})\\w*\\s*(?:(?:is|of|at|was|:|=)\\s*)?(-?\\d+(?:\\.\\d+)?)`, 'i').exec(s.text)
    : null;
  for (const m of [outOf, named]) {
    if (!m) continue;
    const at = m.index + m[0].indexOf(m[1]);
    const n = free.find((x) => x.start === at);
    if (!n || !fits(asType(p, n.value))) continue;
    if (m === outOf) for (const x of free) if (x.start > at && x.start < m.index + m[0].length) x.used = true;
    return asType(p, useNumber(s, n));
  }
  return undefined;
}

/** The next unused number that satisfies the property's bounds. */
export function fromNumber(p: JsonSchema, s: ClauseState): number | undefined {
  const fits = numberFits(p);
  const n = s.numbers.find((x) => !x.used && fits(asType(p, x.value)));
  return n ? asType(p, useNumber(s, n)) : undefined;
}

const PERSON_RE = /\b(person|person's|people|someone|somebody|contact|friend|who|full name)\b/i;

export function namesPerson(p: JsonSchema): boolean {
  return PERSON_RE.test(p.description ?? '');
}

export function quoted(text: string): string | undefined {
  const m = /["“]([^"”]+)["”]|(?:^|\s)'([^']+)'(?=\s|[.,!?]|$)/.exec(text);
  return m ? (m[1] ?? m[2]).trim() : undefined;
}

export function fromPerson(s: ClauseState): string | undefined {
  const words = (t: string): number => t.split(/\s+/).length;
  const best = [...s.names].sort((a, b) => words(b.text) - words(a.text) || a.start - b.start)[0];
  // Quotes mark the exact text to use ("the contact named 'Ann Lee 2'"): they win over the name found inside them.
  const name = best?.text.replace(/^["'“”‘’]+|["'“”‘’]+$/g, '');
  const q = quoted(s.text);
  if (q && (!name || q.includes(name))) return q;
  return name;
}

const EMAIL_RE = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
const PHONE_RE = /\+?\d[\d\s().-]{6,}\d/;
const URL_RE = /\bhttps?:\/\/\S+[^\s.,;!?)]/;
const HANDLE_RE = /(?<![\w.])@\w{2,}/;
const UUID_RE = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;
const ID_RE = /(?:\bid\b|#)\s*:?\s*([\w-]+)/i;

/** Identifiers and contact points (ids, email, phone, URL, handle): a model copies them, never invents them. */
export function namesContactPoint(key: string, p: JsonSchema): boolean {
  return (
    p.format === 'email' ||
    p.format === 'uri' ||
    p.format === 'uuid' ||
    /(^|_)(id|email|phone|url|uri|handle)$/i.test(key) ||
    /\b(e-?mail|address|handle|phone|url|uri|link)\b/i.test(p.description ?? '')
  );
}

export function fromContactPoint(key: string, p: JsonSchema, s: ClauseState): string | undefined {
  const what = `${key.replace(/_/g, ' ')} ${p.description ?? ''} ${p.format ?? ''}`;
  const patterns: RegExp[] = [];
  if (/e-?mail/i.test(what)) patterns.push(EMAIL_RE);
  if (/phone/i.test(what)) patterns.push(PHONE_RE);
  if (/\b(url|uri|link)\b/i.test(what)) patterns.push(URL_RE);
  if (/\b(id|uuid)\b/i.test(what)) patterns.push(UUID_RE, ID_RE);
  if (patterns.length === 0) patterns.push(EMAIL_RE, HANDLE_RE, PHONE_RE, URL_RE);
  for (const re of patterns) {
    const m = re.exec(s.text);
    if (!m) continue;
    consume(s, m.index, m.index + m[0].length);
    return (m[1] ?? m[0]).trim();
  }
  return undefined;
}
