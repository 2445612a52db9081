// What compromise (a rule-based English tagger) reads in a clause: proper-noun
// runs, people, organisations, places, occupations, noun phrases, number words
// and the tense. Offsets are into the text given; results are cached per text,
// so every argument of one call reads the same analysis.
import nlp from 'compromise';

/** A run of words with its offsets and what the tagger says it is. */
export interface Entity {
  start: number;
  end: number;
  text: string;
}

/** A number written as words ("two", "a dozen") with its value. */
export interface NumberWord extends Entity {
  value: number;
}

/** What the tagger found, as spans. */
export interface Entities {
  /** Runs of proper nouns, organisations, people, places and acronyms (month and weekday names excluded). */
  proper: Entity[];
  people: Entity[];
  organisations: Entity[];
  places: Entity[];
  /** Occupations ("plumber", "dentist"). */
  actors: Entity[];
  /** Noun phrases as the tagger chunks them. */
  nouns: Entity[];
  /** Cardinal numbers written in words. */
  numberWords: NumberWord[];
}

export interface Analysis extends Entities {
  /** A verb in the past tense and none pointing ahead. */
  past: boolean;
  /** The first word is a determiner, a number, an adjective or a noun (not a verb or a pronoun). */
  opensWithNoun: boolean;
}

interface TermJson {
  text: string;
  tags: string[];
  offset: { start: number; length: number };
}

const cache = new Map<string, Analysis>();
const CACHE_LIMIT = 500;

const has = (t: TermJson, ...tags: string[]): boolean => tags.some((tag) => t.tags.includes(tag));

/** Consecutive terms (only whitespace between) that satisfy `keep`, as entities. */
function runs(text: string, terms: TermJson[], keep: (t: TermJson) => boolean): Entity[] {
  const out: Entity[] = [];
  let run: TermJson[] = [];
  const flush = (): void => {
    if (run.length > 0) {
      const start = run[0].offset.start;
      const last = run[run.length - 1];
      const end = last.offset.start + last.offset.length;
      out.push({ start, end, text: text.slice(start, end) });
    }
    run = [];
  };
  for (const t of terms) {
    const prev = run[run.length - 1];
    const adjacent = !prev || /^\s+$/.test(text.slice(prev.offset.start + prev.offset.length, t.offset.start));
    if (keep(t) && adjacent) run.push(t);
    else {
      flush();
      if (keep(t)) run.push(t);
    }
  }
  flush();
  return out;
}

function groupSpans(text: string, json: Array<{ terms: TermJson[] }>): Entity[] {
  return json
    .filter((g) => g.terms.length > 0)
    .map((g) => {
      const start = g.terms[0].offset.start;
      const last = g.terms[g.terms.length - 1];
      const end = last.offset.start + last.offset.length;
      return { start, end, text: text.slice(start, end) };
    });
}

const CALENDAR = ['Month', 'WeekDay', 'Date', 'Time', 'Duration', 'Currency', 'Value', 'Unit'];

/** Everything read from one text; a clause's analysis is a slice of its prompt's. */
interface Full extends Entities {
  text: string;
  terms: TermJson[];
}

function read(text: string): Full {
  const doc = nlp(text);
  const terms = (doc.json({ offset: true }) as Array<{ terms: TermJson[] }>).flatMap((s) => s.terms);
  const named = (t: TermJson): boolean =>
    has(t, 'ProperNoun', 'Organization', 'Person', 'Place', 'Acronym') && !has(t, ...CALENDAR) && /\p{Lu}/u.test(t.text);
  const numberWords: NumberWord[] = [];
  for (const n of doc.numbers().json({ offset: true }) as Array<{ number?: { num?: number }; terms: TermJson[] }>) {
    const value = n.number?.num;
    const words = n.terms.filter((t) => /^\p{L}/u.test(t.text));
    if (typeof value !== 'number' || words.length !== n.terms.length) continue;
    const [span] = groupSpans(text, [{ terms: n.terms }]);
    numberWords.push({ ...span, text: span.text.replace(/-$/, ''), end: span.end - (span.text.endsWith('-') ? 1 : 0), value });
  }
  return {
    text,
    terms,
    proper: runs(text, terms, named),
    people: groupSpans(text, doc.people().json({ offset: true })),
    organisations: groupSpans(text, doc.organizations().json({ offset: true })),
    places: groupSpans(text, doc.places().json({ offset: true })),
    actors: runs(text, terms, (t) => has(t, 'Actor') && !has(t, 'ProperNoun', 'Person')),
    nouns: groupSpans(text, doc.nouns().json({ offset: true })),
    numberWords,
  };
}

/** The part [from, from + length) of a full reading, offsets made relative to the part. */
function slice(full: Full, from: number, length: number): Analysis {
  const to = from + length;
  const inside = <T extends Entity>(list: T[]): T[] =>
    list.filter((e) => e.start >= from && e.end <= to).map((e) => ({ ...e, start: e.start - from, end: e.end - from }));
  // A noun phrase the sentence ran across the clause's edge ("the peppers and the cucumbers") is cut at it.
  const clipped = (list: Entity[]): Entity[] =>
    list
      .filter((e) => e.start < to && from < e.end)
      .map((e) => {
        const start = Math.max(e.start, from);
        const end = Math.min(e.end, to);
        return { start: start - from, end: end - from, text: full.text.slice(start, end) };
      })
      .filter((e) => /\p{L}/u.test(e.text));
  const terms = full.terms.filter((t) => t.offset.start >= from && t.offset.start + t.offset.length <= to);
  const first = terms[0];
  return {
    proper: inside(full.proper),
    people: inside(full.people),
    organisations: inside(full.organisations),
    places: inside(full.places),
    actors: inside(full.actors),
    nouns: clipped(full.nouns),
    numberWords: inside(full.numberWords),
    past: terms.some((t) => has(t, 'PastTense')) && !terms.some((t) => has(t, 'FutureTense') || /^(?:will|shall)$/i.test(t.text)),
    opensWithNoun:
      first !== undefined &&
      !has(first, 'Verb', 'Pronoun', 'Preposition', 'Conjunction', 'QuestionWord') &&
      // A participle the tagger took for a noun ("shelved in …") opens a verb phrase.
      !/^\p{L}{3,}ed$/iu.test(first.text) &&
      (has(first, 'Determiner', 'Value', 'Noun') || (has(first, 'Adjective') && terms.length > 1 && has(terms[1], 'Noun', 'Adjective'))),
  };
}

const fulls: Full[] = [];
const FULL_LIMIT = 50;

/**
 * Reads `text` whole (the prompt, once): later calls for any part of it are
 * slices of that reading, so a clause costs no second tagging and keeps the
 * context its sentence gave the tagger.
 */
export function readWhole(text: string): void {
  if (fulls.some((f) => f.text === text)) return;
  fulls.push(read(text));
  if (fulls.length > FULL_LIMIT) fulls.shift();
}

export function analyse(text: string): Analysis {
  const hit = cache.get(text);
  if (hit) return hit;
  let analysis: Analysis | null = null;
  for (let i = fulls.length - 1; i >= 0 && !analysis; i -= 1) {
    const at = fulls[i].text.indexOf(text);
    if (at >= 0) analysis = slice(fulls[i], at, text.length);
  }
  analysis ??= slice(read(text), 0, text.length);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(text, analysis);
  return analysis;
}
