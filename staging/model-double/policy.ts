// The deterministic generic policy: classification when the prompt carries a
// registry and a message block, tool use otherwise. Reads the body only.
import { classify } from './classify.ts';
import { type InputUsage, estimateTokens, requestChars } from './prompt-cache.ts';
import { messageId } from './ids.ts';
import { readClassificationInput } from './registry.ts';
import { promptText } from './request-text.ts';
import { respondToolUse } from './tool-use.ts';
import type { ContentBlock, MessagesRequest, MessagesResponse, PolicyOutput } from './types.ts';

export function decide(req: MessagesRequest, now: Date): PolicyOutput {
  const input = readClassificationInput(promptText(req));
  if (!input) return respondToolUse(req, now);
  const entries = classify(input);
  return {
    content: [{ type: 'text', text: JSON.stringify(entries) }],
    stop_reason: 'end_turn',
    kind: 'classification',
    summary: `classification → ${entries.map((e) => e.butler).join(', ') || '(empty)'}`,
  };
}

export { estimateTokens, requestChars };

function contentChars(content: ContentBlock[]): number {
  return content.reduce((sum, b) => {
    if (b.type === 'text') return sum + String(b.text).length;
    if (b.type === 'tool_use') return sum + String(b.name).length + JSON.stringify(b.input).length;
    return sum;
  }, 0);
}

/**
 * Wraps policy output as a Messages API response: id from a hash of the raw
 * body (so identical requests get identical bytes), usage, and `max_tokens`
 * truncation when the answer would not fit. `input` is the prompt cache's
 * split of the input (see prompt-cache.ts); without it everything is uncached.
 */
export function toResponse(req: MessagesRequest, rawBody: string, out: PolicyOutput, input?: InputUsage): MessagesResponse {
  let content = out.content;
  let stop = out.stop_reason;
  const limit = Math.max(0, Math.floor(req.max_tokens));
  if (estimateTokens(contentChars(content)) > limit) {
    const whole = content
      .map((b) => (b.type === 'text' ? String(b.text) : JSON.stringify({ name: b.name, input: b.input })))
      .join('\n');
    content = [{ type: 'text', text: whole.slice(0, limit * 4) }];
    stop = 'max_tokens';
  }
  return {
    id: messageId(rawBody),
    type: 'message',
    role: 'assistant',
    model: req.model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: {
      ...(input ?? { input_tokens: estimateTokens(requestChars(req)), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }),
      output_tokens: estimateTokens(contentChars(content)),
    },
  };
}
