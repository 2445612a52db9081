// Generic English text handling shared by classification and tool choice:
// tokens with offsets, stop-words, a light stemmer and phrase matching.

const STOP_WORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between ' +
    'both but by can could did do does doing don down during each else every everything few for from further ' +
    'had has have having he her here hers herself him himself his how i if in into is it its itself just let ' +
    'me more most my myself no nor not now of off on once only or other our ours ourselves out over own please ' +
    'same she should so some such than that the their theirs them themselves then there these they this those ' +
    'through to too under until up very was we were what when where which while who whom why will with would ' +
    'you your yours yourself yourselves also im ive id ill cant dont doesnt didnt isnt wasnt whats thats ' +
    'us via etc s t d ll re ve m o y'
  ).split(' '),
);

/** A word of a text with its position, lower-cased form and stem. */
export interface Token {
  raw: string;
  lower: string;
  stem: string;
  start: number;
  end: number;
  /** False for stop-words and bare numbers: they never count as vocabulary. */
  content: boolean;
}

const TOKEN_RE = /\p{N}+(?:\.\p{N}+)?|\p{L}+(?:['’]\p{L}+)*/gu;

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word.toLowerCase().replace(/['’]/g, ''));
}

function undouble(word: string): string {
  const m = /([b-df-hj-km-np-rtv-xz])\1$/.exec(word);
  return m && !/[lsz]/.test(m[1]) ? word.slice(0, -1) : word;
}

/** Strips plural, -ing and -ed so "logged", "logging" and "logs" meet at "log". */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/['’]s$/, '').replace(/['’]/g, '');
  if (/^\p{N}/u.test(w)) return w;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing') && /[aeiouy]/.test(w.slice(0, -3))) w = undouble(w.slice(0, -3));
  else if (w.length > 4 && w.endsWith('ed') && /[aeiouy]/.test(w.slice(0, -2))) w = undouble(w.slice(0, -2));
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith('y')) w = `${w.slice(0, -1)}i`;
  return w;
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const raw = m[0];
    const lower = raw.toLowerCase();
    const numeric = /^\p{N}/u.test(raw);
    out.push({
      raw,
      lower,
      stem: stem(raw),
      start: m.index ?? 0,
      end: (m.index ?? 0) + raw.length,
      content: !numeric && !isStopWord(lower),
    });
  }
  return out;
}

/** Distinct stems of the content words of a text. */
export function contentStems(text: string): string[] {
  return [...new Set(tokenize(text).filter((t) => t.content).map((t) => t.stem))];
}

/**
 * Two stems name the same thing when equal, or when the shorter (5+ letters)
 * starts the longer and covers at least half of it ("remind"/"reminder").
 */
export function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 5 && long.startsWith(short) && short.length * 2 >= long.length;
}

/** A vocabulary phrase reduced to the stems it is matched by. */
export interface Phrase {
  text: string;
  /** Stems compared in order; stop-words are kept only when the phrase needs them. */
  stems: string[];
  /** Whether `stems` includes stop-words (phrases such as "i have"). */
  raw: boolean;
  /** Number of content words in the phrase. */
  contentCount: number;
}

export function toPhrase(text: string): Phrase {
  const tokens = tokenize(text.replace(/_/g, ' '));
  const content = tokens.filter((t) => t.content);
  const raw = content.length < 2;
  return {
    text: text.trim(),
    stems: (raw ? tokens : content).map((t) => t.stem),
    raw,
    contentCount: content.length,
  };
}

/** Where a phrase occurs contiguously in a token list (token indices), or null. */
export function findPhrase(tokens: Token[], phrase: Phrase): { from: number; to: number } | null {
  const seq = phrase.raw ? tokens.map((t, i) => ({ t, i })) : tokens.map((t, i) => ({ t, i })).filter((x) => x.t.content);
  const n = phrase.stems.length;
  if (n === 0) return null;
  for (let s = 0; s + n <= seq.length; s += 1) {
    let ok = true;
    for (let k = 0; k < n && ok; k += 1) {
      const tok = seq[s + k].t;
      ok = n === 1 ? sameWord(tok.stem, phrase.stems[k]) : tok.stem === phrase.stems[k];
    }
    if (ok) return { from: seq[s].i, to: seq[s + n - 1].i };
  }
  return null;
}

export function snakeCase(text: string): string {
  return text
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}
