// First-turn planning (README.md, Policy): clauses that each yield a
// complete call, in prompt order. Recomputed every turn: the double is stateless.
import { clauseState } from './clause-state.ts';
import { extractArgs } from './extract-args.ts';
import { toolUseId } from './ids.ts';
import { findNames } from './names.ts';
import { type Span, joinSpans, splitSentences, splitSpan } from './sentences.ts';
import { isStopWord, sameWord, stem } from './text.ts';
import { type ToolVocabulary, allToolWords, rankTools, toolVocabulary } from './tool-vocab.ts';
import type { ToolDefinition } from './types.ts';

/** One call the double intends to make, with its deterministic id. */
export interface PlannedCall {
  id: string;
  name: string;
  input: Record<string, unknown>;
  clause: string;
}

interface Group {
  spans: Span[];
  call: { name: string; input: Record<string, unknown> } | null;
}

const CLAUSE_SEPARATOR = /\s*[,;]\s*|\s+and\s+/i;

/** Context every clause of one prompt shares. */
export interface PromptContext {
  prompt: string;
  vocabularies: ToolVocabulary[];
  names: Span[];
  now: Date;
}

export function promptContext(prompt: string, tools: ToolDefinition[], now: Date): PromptContext {
  const vocabularies = tools.map(toolVocabulary);
  const toolWords = [...allToolWords(vocabularies)];
  // A capitalised first word is a name unless it is a stop-word or a word the tools act on ("Add", "Remind").
  const keepInitial = (w: string): boolean => !isStopWord(w) && !toolWords.some((t) => sameWord(stem(w), t));
  return { prompt, vocabularies, names: findNames(prompt, { keepInitial }), now };
}

/**
 * The call a span yields: among the tools tied for the best score, the first
 * listed whose required arguments can all be filled (a model does not pick a
 * tool it cannot call); else the first one's incomplete call; null when no
 * tool matches.
 */
export function callFor(
  ctx: PromptContext,
  span: Span,
  only?: ToolVocabulary[],
): { name: string; input: Record<string, unknown>; complete: boolean } | null {
  const names = ctx.names
    .filter((n) => n.start >= span.start && n.end <= span.end)
    .map((n) => ({ start: n.start - span.start, end: n.end - span.start, text: n.text }));
  let first: { name: string; input: Record<string, unknown>; complete: boolean } | null = null;
  const ranked = rankTools(span.text, only ?? ctx.vocabularies);
  for (const match of ranked.filter((m) => m.score === ranked[0].score)) {
    const state = clauseState(span.text, names, match.intentEnd, ctx.now);
    const result = extractArgs(match.tool.input_schema, state);
    const call = { name: match.tool.name, input: result.input, complete: result.complete };
    if (call.complete) return call;
    first ??= call;
  }
  return first;
}

// A pronoun used as an object ("keep this in …", "delete it"), not "that" opening a clause ("note that my …").
const ANAPHOR = /\b(?:this|that|it|these|those|them)\b(?=\s*(?:$|[.,;:!?]|(?:in|into|to|for|on|at|there|away|down|up|somewhere|safe|please|now|too)\b))/i;

/** A pronoun stands in for the content, and the clause carries none of its own: no number, no quote. */
function refersBack(text: string): boolean {
  return ANAPHOR.test(text) && !/\d/.test(text) && !/["“”‘’]|'[^']+'/.test(text);
}

function attempt(ctx: PromptContext, spans: Span[]): Group {
  const call = callFor(ctx, joinSpans(ctx.prompt, spans));
  return { spans, call: call?.complete ? { name: call.name, input: call.input } : null };
}

/** Splits the prompt into clauses, keeping a split only when each side yields a complete call. */
export function planCalls(prompt: string, tools: ToolDefinition[], now: Date): PlannedCall[] {
  if (tools.length === 0 || prompt.trim() === '') return [];
  const ctx = promptContext(prompt, tools, now);
  const pieces = splitSentences(prompt).flatMap((s) => splitSpan(prompt, s, CLAUSE_SEPARATOR));
  let groups = pieces.map((p) => attempt(ctx, [p]));
  // A clause that only points back at another ("keep this", "store it there") has no content of its
  // own to act on: it joins its neighbour, so the pair makes one call filled from the clause with content.
  if (groups.length > 1) groups = groups.map((g) => (refersBack(joinSpans(prompt, g.spans).text) ? { ...g, call: null } : g));
  for (;;) {
    const i = groups.findIndex((g) => g.call === null);
    if (i < 0 || groups.length <= 1) break;
    const j = i > 0 ? i - 1 : i + 1;
    const [a, b] = i < j ? [groups[i], groups[j]] : [groups[j], groups[i]];
    const merged = attempt(ctx, [...a.spans, ...b.spans]);
    groups = [...groups.slice(0, Math.min(i, j)), merged, ...groups.slice(Math.max(i, j) + 1)];
  }
  return groups.flatMap((g, index) =>
    g.call === null
      ? []
      : [
          {
            id: toolUseId(prompt, String(index), g.call.name, JSON.stringify(g.call.input)),
            ...g.call,
            clause: joinSpans(prompt, g.spans).text,
          },
        ],
  );
}
