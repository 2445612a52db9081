// Scores a clause against registry entries: distinct capability phrases
// (two or more words count double) plus description words.
import type { EntryVocabulary } from './registry.ts';
import { type Token, findPhrase, sameWord, tokenize } from './text.ts';

/** The winning entry for a clause; `name` is null when nothing matched anywhere. */
export interface Best {
  name: string | null;
  score: number;
  matched: string[];
}

function scoreEntry(tokens: Token[], entry: EntryVocabulary): { score: number; matched: string[] } {
  const used = new Set<number>();
  const matched: string[] = [];
  let score = 0;
  // Longer phrases first so "blood pressure" claims its words before "pressure" could.
  const caps = [...entry.capabilities].sort((a, b) => b.stems.length - a.stems.length);
  for (const cap of caps) {
    const at = findPhrase(tokens, cap);
    if (!at) continue;
    const span = tokens.slice(at.from, at.to + 1).map((_, k) => at.from + k);
    if (span.every((i) => used.has(i))) continue;
    span.forEach((i) => used.add(i));
    score += cap.contentCount >= 2 ? 2 : 1;
    matched.push(cap.text);
  }
  for (const word of entry.words) {
    const i = tokens.findIndex((t, k) => t.content && !used.has(k) && sameWord(t.stem, word));
    if (i < 0) continue;
    used.add(i);
    score += 1;
    matched.push(tokens[i].lower);
  }
  return { score, matched };
}

/** Highest score wins; ties go to the alphabetically first name; zero everywhere → name null. */
export function bestEntry(text: string, entries: EntryVocabulary[]): Best {
  const tokens = tokenize(text);
  let best: Best = { name: null, score: 0, matched: [] };
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of sorted) {
    const { score, matched } = scoreEntry(tokens, entry);
    if (score > best.score) best = { name: entry.name, score, matched };
  }
  return best;
}
