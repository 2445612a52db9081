// Tool choice from what a tool definition says about itself: name words,
// the `Use when:` intents and the `Kinds:` terms of its description.
import { type Phrase, type Token, contentStems, findPhrase, sameWord, toPhrase, tokenize } from './text.ts';
import type { ToolDefinition } from './types.ts';

/** What tool choice compares a clause with. */
export interface ToolVocabulary {
  tool: ToolDefinition;
  intents: Phrase[];
  kinds: Phrase[];
  /** Content stems of the name, the intents and the kinds, each worth one point. */
  words: string[];
  /** The description opens with a reading verb ("Read …", "List …"): the tool looks, it does not change. */
  reads: boolean;
}

/** The chosen tool for a clause and where its matched intent ends (a char offset), if one did. */
export interface ToolMatch {
  tool: ToolDefinition;
  score: number;
  intentEnd: number | null;
}

function section(description: string, label: RegExp, other: RegExp): string {
  const m = label.exec(description);
  if (!m) return '';
  const rest = description.slice(m.index + m[0].length);
  const stop = other.exec(rest);
  return stop ? rest.slice(0, stop.index) : rest;
}

/** "log/record a body measurement" → both alternatives; " / " separates whole items. */
function expandSlashes(item: string): string[] {
  const words = item.split(/\s+/);
  let variants = [''];
  for (const word of words) {
    const alternatives = /^[\p{L}'-]+(\/[\p{L}'-]+)+$/u.test(word) ? word.split('/') : [word];
    variants = variants.flatMap((v) => alternatives.map((a) => (v ? `${v} ${a}` : a))).slice(0, 16);
  }
  return variants;
}

export function listItems(text: string): string[] {
  return text
    .split(/[,;\n]|\.(?:\s|$)|\s+\/\s+|\s+or\s+/)
    .map((s) => s.replace(/^[\s\-*•"'“”]+|[\s"'“”.]+$/g, ''))
    .filter((s) => s !== '')
    .flatMap(expandSlashes);
}

const READ_VERB = /^(?:read|get|list|show|find|search|look(?:\s+up)?|check|fetch|report|count|query|view|return)s?\b/i;
const QUESTION_OPENER = /^(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|have|has)\b/i;

/** A question asks to be told something: "What is my …?", "Is there …". */
export function isQuestion(clause: string): boolean {
  const t = clause.trim();
  return /\?["'”’)]*$/.test(t) || QUESTION_OPENER.test(t);
}

export function toolVocabulary(tool: ToolDefinition): ToolVocabulary {
  const description = tool.description ?? '';
  const useWhen = section(description, /use when\s*:/i, /\bkinds\s*:/i);
  const kindsText = section(description, /\bkinds\s*:/i, /\buse when\s*:/i);
  const intents = listItems(useWhen).map(toPhrase).filter((p) => p.stems.length > 0);
  const kinds = listItems(kindsText).map(toPhrase).filter((p) => p.stems.length > 0);
  const nameWords = contentStems(tool.name.replace(/[_-]/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2'));
  // A tool that states no intents or kinds is still choosable by its description.
  const fallbackWords = intents.length === 0 && kinds.length === 0 ? contentStems(description) : [];
  const words = [
    ...nameWords,
    ...fallbackWords,
    ...intents.flatMap((p) => contentStems(p.text)),
    ...kinds.flatMap((p) => contentStems(p.text)),
  ];
  return { tool, intents, kinds, words: [...new Set(words)], reads: READ_VERB.test(description.trim()) };
}

function scoreTool(tokens: Token[], v: ToolVocabulary): { score: number; intentEnd: number | null } {
  const used = new Set<number>();
  let score = 0;
  let firstIntent: { from: number; to: number } | null = null;
  let lastWord: number | null = null;
  const phrases = [
    ...v.kinds.map((p) => ({ p, kind: true })),
    ...v.intents.filter((p) => p.stems.length >= 2).map((p) => ({ p, kind: false })),
  ].sort((a, b) => b.p.stems.length - a.p.stems.length);
  for (const { p, kind } of phrases) {
    const at = findPhrase(tokens, p);
    if (!at) continue;
    const idx = Array.from({ length: at.to - at.from + 1 }, (_, k) => at.from + k);
    if (idx.every((i) => used.has(i))) continue;
    idx.forEach((i) => used.add(i));
    // A phrase beats single words; a phrase made only of stop-words ("i have") is weak evidence.
    if (kind) score += p.contentCount >= 2 ? 2 + p.contentCount : 2;
    else score += p.contentCount > 0 ? 2 + p.contentCount : 1;
    if (!kind && (!firstIntent || at.from < firstIntent.from)) firstIntent = at;
  }
  for (const word of v.words) {
    const i = tokens.findIndex((t, k) => t.content && !used.has(k) && sameWord(t.stem, word));
    if (i < 0) continue;
    used.add(i);
    score += 1;
    const isKindWord = v.kinds.some((p) => p.stems.includes(word));
    if (!isKindWord && (lastWord === null || i > lastWord)) lastWord = i;
  }
  const endToken = firstIntent ? firstIntent.to : lastWord;
  return { score, intentEnd: endToken === null ? null : tokens[endToken].end };
}

/** Tools that match a clause at all, best first (ties keep the listed order). */
export function rankTools(clause: string, vocabularies: ToolVocabulary[]): ToolMatch[] {
  const tokens = tokenize(clause);
  const question = isQuestion(clause);
  return vocabularies
    .map((v, index) => ({ tool: v.tool, index, ...scoreTool(tokens, v) }))
    // Between tools the clause matches equally, a question is answered by looking, not by changing anything.
    .map((m) => (question && m.score > 0 && vocabularies[m.index].reads ? { ...m, score: m.score + 1 } : m))
    .filter((m) => m.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map(({ tool, score, intentEnd }) => ({ tool, score, intentEnd }));
}

/** Every content stem any offered tool is chosen by (to tell verbs from names). */
export function allToolWords(vocabularies: ToolVocabulary[]): Set<string> {
  return new Set(vocabularies.flatMap((v) => v.words));
}
