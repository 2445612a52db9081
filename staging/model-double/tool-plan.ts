// First-turn planning (README.md, Policy): clauses that each yield a
// complete call, in prompt order. Recomputed every turn: the double is stateless.
import { clauseState, consume, freeTextAfter } from './clause-state.ts';
import { extractArgs } from './extract-args.ts';
import { toolUseId } from './ids.ts';
import { findNames } from './names.ts';
import { analyse, readWhole } from './nlp.ts';
import { readWholeDates } from './dates.ts';
import { type Span, joinSpans, splitSentences, splitSpan } from './sentences.ts';
import { isStopWord, sameWord, stem, tokenize } from './text.ts';
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
  /** The span opens with a noun phrase (a determiner, a number or a noun), not a verb. */
  objectStart: (span: Span) => boolean;
}

export function promptContext(prompt: string, tools: ToolDefinition[], now: Date): PromptContext {
  const vocabularies = tools.map(toolVocabulary);
  const toolWords = [...allToolWords(vocabularies)];
  // A capitalised first word is a name unless it is a stop-word or a word the tools act on ("Add", "Remind").
  const keepInitial = (w: string): boolean => !isStopWord(w) && !toolWords.some((t) => sameWord(stem(w), t));
  // The prompt is read once for names, tags and dates; its clauses take slices of that reading.
  readWhole(prompt);
  readWholeDates(prompt, now);
  const objectStart = (span: Span): boolean => analyse(span.text).opensWithNoun;
  return { prompt, vocabularies, names: findNames(prompt, { keepInitial }), now, objectStart };
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

const schemaOf = (ctx: PromptContext, name: string) => ctx.vocabularies.find((v) => v.tool.name === name)?.tool.input_schema;

/** The value of the call's first required text property: what the call is about. */
function subjectOf(ctx: PromptContext, call: { name: string; input: Record<string, unknown> }): { key: string; value: string } | null {
  const schema = schemaOf(ctx, call.name);
  for (const key of schema?.required ?? []) {
    const v = call.input[key];
    if (typeof v === 'string' && !schema?.properties?.[key]?.enum) return { key, value: v };
  }
  return null;
}

/**
 * A clause whose subject is one of the call's own properties ("a 6-month
 * lease", "flight BA117" after "booked a trip") describes the item
 * before it rather than a new one.
 */
function describesNeighbour(ctx: PromptContext, call: { name: string; input: Record<string, unknown> }, clause: string): boolean {
  const subject = subjectOf(ctx, call);
  const keys = Object.keys(schemaOf(ctx, call.name)?.properties ?? {}).filter((k) => k !== subject?.key);
  const keyStems = new Set(keys.flatMap((k) => k.split('_')).filter((w) => w.length > 2).map(stem));
  // Without a text subject, the clause opening with a property's word ("flight AZ205") is about that property.
  const words = subject ? tokenize(subject.value).filter((t) => t.content) : tokenize(clause).filter((t) => t.content).slice(0, 1);
  return words.some((t) => keyStems.has(t.stem));
}

/** Nothing but amounts, their units and "each" ("20 euros each"): the clause measures the items before it. */
function onlyMeasures(span: Span): boolean {
  const tokens = tokenize(span.text);
  return tokens.every((t, i) => !t.content || /^(?:each|apiece|per|every)$/i.test(t.lower) || /^\p{N}/u.test(tokens[i - 1]?.raw ?? ''));
}

/**
 * A clause that names no tool but starts like an object ("and a book of
 * stamps", "and the train tickets") shares the verb of the clause before it: the
 * same tool, filled from this clause alone.
 */
function sharedVerbCall(ctx: PromptContext, span: Span, tool: string, opening = true): Group['call'] {
  if (opening && !ctx.objectStart(span)) return null;
  const names = ctx.names
    .filter((n) => n.start >= span.start && n.end <= span.end)
    .map((n) => ({ start: n.start - span.start, end: n.end - span.start, text: n.text }));
  const state = clauseState(span.text, names, 0, ctx.now);
  const result = extractArgs(schemaOf(ctx, tool), state);
  const call = { name: tool, input: result.input };
  return result.complete && !describesNeighbour(ctx, call, span.text) ? call : null;
}

/** "20 euros each": the amounts of a clause saying "each" go to every call of the same tool that lacks them. */
function distributeEach(ctx: PromptContext, groups: Group[]): void {
  for (const g of groups) {
    if (!g.call || !/\b(?:each|apiece)\b/i.test(joinSpans(ctx.prompt, g.spans).text)) continue;
    for (const other of groups) {
      if (other === g || other.call?.name !== g.call.name) continue;
      for (const [k, v] of Object.entries(g.call.input)) if (typeof v === 'number' && !(k in other.call.input)) other.call.input[k] = v;
    }
  }
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
  // An attribute of the item before ("…, 6-month lease") is no item of its own.
  groups = groups.map((g, i) => {
    const prev = groups.slice(0, i).reverse().find((x) => x.call)?.call;
    return g.call && prev && prev.name === g.call.name && describesNeighbour(ctx, g.call, joinSpans(prompt, g.spans).text) ? { ...g, call: null } : g;
  });
  // Coordinated objects share the verb before them ("bought 2 pens and a box of stamps").
  for (let i = 1; i < groups.length; i += 1) {
    const prev = groups[i - 1].call;
    const span = joinSpans(prompt, groups[i].spans);
    // Only across "and": a bare comma before a name or a phrase is an apposition ("a lamp, Anglepoise").
    const joiner = prompt.slice(groups[i - 1].spans[groups[i - 1].spans.length - 1].end, span.start);
    if (groups[i].call !== null || !prev || onlyMeasures(span) || !/\band\b/i.test(joiner)) continue;
    groups[i] = { ...groups[i], call: sharedVerbCall(ctx, span, prev.name) };
  }
  for (;;) {
    const i = groups.findIndex((g) => g.call === null);
    if (i < 0 || groups.length <= 1) break;
    const j = i > 0 ? i - 1 : i + 1;
    const [a, b] = i < j ? [groups[i], groups[j]] : [groups[j], groups[i]];
    let merged = attempt(ctx, [...a.spans, ...b.spans]);
    // Merged clauses that name no tool keep the tool one of them had.
    const kept = a.call ?? b.call;
    if (merged.call === null && kept) merged = { ...merged, call: sharedVerbCall(ctx, joinSpans(prompt, merged.spans), kept.name, false) };
    groups = [...groups.slice(0, Math.min(i, j)), merged, ...groups.slice(Math.max(i, j) + 1)];
  }
  distributeEach(ctx, groups);
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
