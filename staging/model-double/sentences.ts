// Sentence and clause boundaries with character offsets into the original text.

/** A slice of a text: [start, end) offsets and the trimmed text itself. */
export interface Span {
  start: number;
  end: number;
  text: string;
}

// Words whose trailing period does not end a sentence.
const ABBREVIATIONS = new Set(['dr', 'mr', 'mrs', 'ms', 'prof', 'st', 'jr', 'sr', 'vs', 'e.g', 'i.e', 'approx']);

export const TITLES = new Set(['dr', 'mr', 'mrs', 'ms', 'prof']);

/** Trims a [start, end) range of `text`; null when nothing but whitespace is left. */
export function trimSpan(text: string, start: number, end: number): Span | null {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s])) s += 1;
  while (e > s && /\s/.test(text[e - 1])) e -= 1;
  return s < e ? { start: s, end: e, text: text.slice(s, e) } : null;
}

function endsWithAbbreviation(text: string, dot: number): boolean {
  const before = /([\p{L}.]+)$/u.exec(text.slice(Math.max(0, dot - 8), dot));
  if (!before) return false;
  const word = before[1].toLowerCase().replace(/^\.+/, '');
  // A lone capital ("J. Doe") is an initial, not a sentence end.
  return ABBREVIATIONS.has(word) || /^\p{Lu}$/u.test(before[1]);
}

/** Splits into sentences; "Dr.", "Mr.", "e.g." and initials do not end one, newlines do. */
export function splitSentences(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  const push = (end: number): void => {
    const span = trimSpan(text, start, end);
    if (span) spans.push(span);
    start = end;
  };
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '\n') {
      push(i);
      continue;
    }
    if (!/[.!?]/.test(ch)) continue;
    let j = i;
    while (j + 1 < text.length && /[.!?"'’)\]]/.test(text[j + 1])) j += 1;
    const next = text.slice(j + 1);
    const atEnd = next.trim() === '';
    const followedBySpace = /^\s/.test(next);
    if (!atEnd && !followedBySpace) continue;
    if (ch === '.' && j === i && endsWithAbbreviation(text, i)) continue;
    if (!atEnd && /^\s+\p{Ll}/u.test(next) && ch === '.') continue;
    push(j + 1);
    i = j;
  }
  push(text.length);
  return spans;
}

/** Cuts a span at every match of `separator` (the separator itself is dropped). */
export function splitSpan(text: string, span: Span, separator: RegExp): Span[] {
  const out: Span[] = [];
  const flags = separator.flags.includes('g') ? separator.flags : `${separator.flags}g`;
  const re = new RegExp(separator.source, flags);
  let start = span.start;
  for (const m of span.text.matchAll(re)) {
    const at = span.start + (m.index ?? 0);
    const piece = trimSpan(text, start, at);
    if (piece) out.push(piece);
    start = at + m[0].length;
  }
  const last = trimSpan(text, start, span.end);
  if (last) out.push(last);
  return out;
}

/** Joins adjacent spans into one covering span of the original text. */
export function joinSpans(text: string, spans: Span[]): Span {
  const start = spans[0].start;
  const end = spans[spans.length - 1].end;
  return { start, end, text: text.slice(start, end) };
}

/** Offsets at which a sentence starts, used to tell names from capitalised first words. */
export function sentenceStarts(text: string): Set<number> {
  return new Set(splitSentences(text).map((s) => s.start));
}
