// Classification policy (README.md, Policy): sentences, clause splits
// where the sides belong to different butlers, scoring, merging, pronouns.
import { type Best, bestEntry } from './classify-score.ts';
import { findNames, replacePronouns } from './names.ts';
import { type ClassificationInput, type EntryVocabulary, fallbackButler, vocabulary } from './registry.ts';
import { type Span, joinSpans, splitSentences, splitSpan } from './sentences.ts';

/** One element of the classification answer (docs/ecosystem.md §8.2). */
export interface ClassificationEntry {
  butler: string;
  prompt: string;
  segment: {
    sentence_spans: Array<[number, number]>;
    offsets: { start: number; end: number };
    rationale: string;
  };
}

interface Clause {
  spans: Span[];
  best: Best;
}

const CLAUSE_SEPARATOR = /,?\s+and\s+|\s*;\s*/i;

function mergeClauses(message: string, a: Clause, b: Clause, entries: EntryVocabulary[]): Clause {
  const spans = [...a.spans, ...b.spans];
  return { spans, best: bestEntry(joinSpans(message, spans).text, entries) };
}

/** A sentence keeps a split only where the sides score best for different butlers. */
function clausesOf(message: string, sentence: Span, entries: EntryVocabulary[]): Clause[] {
  let clauses: Clause[] = splitSpan(message, sentence, CLAUSE_SEPARATOR).map((span) => ({
    spans: [span],
    best: bestEntry(span.text, entries),
  }));
  // Clauses that match nothing cannot be "best for a different butler": they stay attached.
  const attached: Clause[] = [];
  for (const clause of clauses) {
    const prev = attached[attached.length - 1];
    if (prev && (clause.best.name === null || prev.best.name === null)) {
      attached[attached.length - 1] = mergeClauses(message, prev, clause, entries);
    } else attached.push(clause);
  }
  clauses = attached;
  let changed = true;
  while (changed && clauses.length > 1) {
    changed = false;
    for (let i = 0; i + 1 < clauses.length; i += 1) {
      if (clauses[i].best.name === clauses[i + 1].best.name) {
        clauses.splice(i, 2, mergeClauses(message, clauses[i], clauses[i + 1], entries));
        changed = true;
        break;
      }
    }
  }
  return clauses;
}

function capitaliseFirst(text: string): string {
  return text.replace(/^\p{Ll}/u, (c) => c.toUpperCase());
}

/** The classification answer for a message against a registry, in message order. */
export function classify(input: ClassificationInput): ClassificationEntry[] {
  const { message } = input;
  if (message.trim() === '') return [];
  const entries = input.registry.map(vocabulary);
  const fallback = fallbackButler(input.registry);
  const sentences = splitSentences(message);
  const routed: Array<{ butler: string; spans: Span[]; matched: string[] }> = [];
  for (const sentence of sentences) {
    for (const clause of clausesOf(message, sentence, entries)) {
      const butler = clause.best.name ?? fallback;
      const prev = routed[routed.length - 1];
      if (prev && prev.butler === butler) {
        prev.spans.push(...clause.spans);
        prev.matched.push(...clause.best.matched);
      } else routed.push({ butler, spans: [...clause.spans], matched: [...clause.best.matched] });
    }
  }
  const names = findNames(message);
  return routed.map(({ butler, spans, matched }) => {
    const whole = joinSpans(message, spans);
    const terms = [...new Set(matched)];
    return {
      butler,
      prompt: capitaliseFirst(replacePronouns(whole, names)),
      segment: {
        sentence_spans: sentences
          .filter((s) => s.start < whole.end && s.end > whole.start)
          .map((s): [number, number] => [s.start, s.end]),
        offsets: { start: whole.start, end: whole.end },
        rationale:
          terms.length > 0
            ? `${butler}: matched ${terms.map((t) => `"${t}"`).join(', ')}`
            : `no registry vocabulary matched; routed to the fallback ${butler}`,
      },
    };
  });
}
