// Checks a Messages API body the way the real API would reject it: the error
// message names the field and the rule, so a broken client is easy to fix.
import type { MessagesRequest } from './types.ts';

/** A rejected request: HTTP status, Anthropic error type and message. */
export interface RequestProblem {
  status: number;
  type: string;
  message: string;
}

/** Either the request, typed, or why it was refused. */
export type Validated = { ok: true; req: MessagesRequest } | { ok: false; problem: RequestProblem };

const bad = (message: string): Validated => ({
  ok: false,
  problem: { status: 400, type: 'invalid_request_error', message },
});

export function validateRequest(raw: string): Validated {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return bad('request body is not valid JSON; send a JSON object with model, max_tokens and messages');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return bad('request body must be a JSON object with model, max_tokens and messages');
  }
  const b = body as Record<string, unknown>;
  if (b.stream === true) {
    return bad('stream: streaming is not served by the model double; send stream: false (or omit it)');
  }
  if (typeof b.model !== 'string' || b.model === '') return bad('model: field required (a non-empty string)');
  if (typeof b.max_tokens !== 'number' || !Number.isInteger(b.max_tokens) || b.max_tokens < 1) {
    return bad('max_tokens: field required (a positive integer)');
  }
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    return bad('messages: field required (a non-empty array of {role, content})');
  }
  for (const [i, m] of b.messages.entries()) {
    const msg = m as Record<string, unknown> | null;
    if (!msg || (msg.role !== 'user' && msg.role !== 'assistant')) {
      return bad(`messages.${i}.role: must be "user" or "assistant"`);
    }
    if (typeof msg.content !== 'string' && !Array.isArray(msg.content)) {
      return bad(`messages.${i}.content: must be a string or an array of content blocks`);
    }
  }
  if (b.system !== undefined && typeof b.system !== 'string' && !Array.isArray(b.system)) {
    return bad('system: must be a string or an array of text blocks');
  }
  if (b.tools !== undefined) {
    if (!Array.isArray(b.tools)) return bad('tools: must be an array of {name, description, input_schema}');
    for (const [i, t] of b.tools.entries()) {
      if (typeof (t as { name?: unknown } | null)?.name !== 'string') return bad(`tools.${i}.name: field required`);
    }
  }
  const choice = b.tool_choice as { type?: unknown; name?: unknown } | undefined;
  if (choice !== undefined) {
    if (!['auto', 'any', 'none', 'tool'].includes(String(choice?.type))) {
      return bad('tool_choice.type: must be one of auto, any, none, tool');
    }
    if (choice.type === 'tool' && typeof choice.name !== 'string') {
      return bad('tool_choice.name: field required when tool_choice.type is "tool"');
    }
  }
  return { ok: true, req: b as MessagesRequest };
}
