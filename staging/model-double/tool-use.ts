// Tool-use policy across turns (README.md, Policy): one planned call per
// turn, then a final text over what was called and what came back.
import { toolUseId } from './ids.ts';
import { type PastCall, type PastResult, firstUserText, pastCalls, pastResults } from './request-text.ts';
import { trimSpan } from './sentences.ts';
import { type PlannedCall, callFor, planCalls, promptContext } from './tool-plan.ts';
import { toolVocabulary } from './tool-vocab.ts';
import type { MessagesRequest, PolicyOutput, ToolDefinition } from './types.ts';

const RESULT_LIMIT = 200;

function truncate(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}

/** The final answer: each call with its arguments and truncated result, failures noted. */
export function finalText(calls: PastCall[], results: Map<string, PastResult>, toolsOffered: boolean): string {
  if (calls.length === 0) {
    return toolsOffered
      ? 'No action was needed: nothing in the request called for one of the available tools.'
      : 'No action was needed: no tools were available for this request.';
  }
  const lines = calls.map((c) => {
    const args = JSON.stringify(c.input ?? {});
    const r = results.get(c.id);
    if (!r) return `- ${c.name} ${args}: no result was returned.`;
    return r.isError
      ? `- ${c.name} ${args} failed: ${truncate(r.text, RESULT_LIMIT)}`
      : `- ${c.name} ${args} returned ${truncate(r.text, RESULT_LIMIT)}`;
  });
  const failed = calls.filter((c) => results.get(c.id)?.isError).length;
  const head = `I made ${calls.length} tool call${calls.length === 1 ? '' : 's'}${failed > 0 ? `, ${failed} of which failed` : ''}:`;
  return [head, ...lines].join('\n');
}

function toolUse(call: { id: string; name: string; input: Record<string, unknown> }): PolicyOutput {
  return {
    content: [{ type: 'tool_use', id: call.id, name: call.name, input: call.input }],
    stop_reason: 'tool_use',
    kind: 'tool_use',
    summary: `tool_use ${call.name}`,
  };
}

/** The call a `tool_choice` of "tool" or "any" forces on a first turn, complete or not. */
function forcedCall(
  prompt: string,
  tools: ToolDefinition[],
  choice: MessagesRequest['tool_choice'],
  plan: PlannedCall[],
  now: Date,
): { id: string; name: string; input: Record<string, unknown> } {
  if (choice?.type === 'any' && plan.length > 0) return plan[0];
  const ctx = promptContext(prompt, tools, now);
  const span = trimSpan(prompt, 0, prompt.length) ?? { start: 0, end: 0, text: '' };
  const named = choice?.type === 'tool' ? tools.find((t) => t.name === choice.name) : undefined;
  const candidates = named ? [named] : tools;
  const vocab = candidates.map(toolVocabulary);
  const chosen = callFor(ctx, span, vocab);
  const name = chosen?.name ?? candidates[0].name;
  const input = chosen?.input ?? {};
  return { id: toolUseId(prompt, 'forced', name, JSON.stringify(input)), name, input };
}

export function respondToolUse(req: MessagesRequest, now: Date): PolicyOutput {
  const tools = req.tools ?? [];
  const prompt = firstUserText(req);
  const calls = pastCalls(req);
  const results = pastResults(req);
  const choice = req.tool_choice;
  const plan = choice?.type === 'none' ? [] : planCalls(prompt, tools, now);
  const forcing = (choice?.type === 'tool' || choice?.type === 'any') && tools.length > 0;
  if (forcing && calls.length === 0) return toolUse(forcedCall(prompt, tools, choice, plan, now));
  const made = new Set(calls.map((c) => c.id));
  const next = plan.find((c) => !made.has(c.id));
  if (next) return toolUse(next);
  const text = finalText(calls, results, tools.length > 0);
  return { content: [{ type: 'text', text }], stop_reason: 'end_turn', kind: 'tool_use', summary: `text: ${truncate(text, 80)}` };
}
