// Proper names (capitalised runs that do not merely start a sentence) and
// third-person pronoun replacement so a clause can stand on its own.
import { type Span, TITLES, sentenceStarts } from './sentences.ts';

const NOT_NAMES = new Set(
  (
    'i im ive ill id monday tuesday wednesday thursday friday saturday sunday january february march april ' +
    'may june july august september october november december ok today tomorrow yesterday tonight hi hey hello ' +
    'thanks yes no'
  ).split(' '),
);

const WORD_RE = /\p{L}[\p{L}'’-]*/gu;

interface Word {
  text: string;
  start: number;
  end: number;
  title: boolean;
}

function isCapitalised(word: string): boolean {
  if (!/^\p{Lu}/u.test(word)) return false;
  if (word.length > 1 && word === word.toUpperCase()) return false;
  return !NOT_NAMES.has(word.toLowerCase().replace(/['’]/g, ''));
}

/** Options for name finding; `keepInitial` lets a sentence-initial word count as part of a name. */
export interface NameOptions {
  keepInitial?: (word: string) => boolean;
}

/** Runs of capitalised words (titles such as "Dr." kept), in text order. */
export function findNames(text: string, options: NameOptions = {}): Span[] {
  const starts = sentenceStarts(text);
  const words: Word[] = [];
  for (const m of text.matchAll(WORD_RE)) {
    const start = m.index ?? 0;
    const title = TITLES.has(m[0].toLowerCase()) && /^\.?\s/.test(text.slice(start + m[0].length));
    const end = start + m[0].length + (title && text[start + m[0].length] === '.' ? 1 : 0);
    words.push({ text: m[0], start, end, title });
  }
  const names: Span[] = [];
  let run: Word[] = [];
  const flush = (): void => {
    let r = run;
    run = [];
    if (r.length > 0 && starts.has(r[0].start) && !r[0].title && !options.keepInitial?.(r[0].text)) r = r.slice(1);
    while (r.length > 0 && r[r.length - 1].title) r = r.slice(0, -1);
    if (r.length === 0 || (r.length === 1 && r[0].title)) return;
    const start = r[0].start;
    const last = r[r.length - 1];
    const end = last.end - (/['’]s$/.test(last.text) ? 2 : 0);
    names.push({ start, end, text: text.slice(start, end) });
  };
  for (const w of words) {
    const joinable = run.length > 0 && /^\s$/.test(text.slice(run[run.length - 1].end, w.start));
    const fits = w.title || isCapitalised(w.text);
    if (fits && (run.length === 0 || joinable) && !(run.length > 0 && w.title)) {
      run.push(w);
      if (/['’]s$/.test(w.text)) flush();
    } else {
      flush();
      if (fits) run.push(w);
    }
  }
  flush();
  return names;
}

const PRONOUN_RE = /\b(he|she|him|her|his|they|them|their)\b/gi;
const POSSESSIVE = new Set(['his', 'their']);

/**
 * Replaces third-person pronouns in `clause` (offsets into the whole message)
 * by the most recent proper name before each pronoun, unless the clause
 * already names that person before the pronoun.
 */
export function replacePronouns(clause: Span, names: Span[]): string {
  let out = '';
  let last = 0;
  for (const m of clause.text.matchAll(PRONOUN_RE)) {
    const at = m.index ?? 0;
    const absolute = clause.start + at;
    const name = [...names].reverse().find((n) => n.end <= absolute);
    if (!name) continue;
    if (name.start >= clause.start && name.end <= absolute) continue;
    const word = m[0];
    out += clause.text.slice(last, at) + name.text + (POSSESSIVE.has(word.toLowerCase()) ? "'s" : '');
    last = at + word.length;
  }
  return out + clause.text.slice(last);
}
