// Reads text and tool history out of a Messages API request, whatever mix of
// string and block content the client sent.
import type { ContentBlock, MessageParam, MessagesRequest } from './types.ts';

/** A tool call the assistant already made in this conversation. */
export interface PastCall {
  id: string;
  name: string;
  input: unknown;
}

/** What came back for a past call. */
export interface PastResult {
  text: string;
  isError: boolean;
}

function blocks(content: MessageParam['content']): ContentBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content : [];
}

function textOf(block: ContentBlock): string {
  return block.type === 'text' && typeof block.text === 'string' ? block.text : '';
}

export function systemText(req: MessagesRequest): string {
  if (typeof req.system === 'string') return req.system;
  if (Array.isArray(req.system)) return req.system.map((b) => (typeof b.text === 'string' ? b.text : '')).join('\n');
  return '';
}

export function messageText(message: MessageParam): string {
  return blocks(message.content).map(textOf).filter((t) => t !== '').join('\n');
}

/** The text of the first user turn: the prompt a tool-use session was given. */
export function firstUserText(req: MessagesRequest): string {
  const first = req.messages.find((m) => m.role === 'user');
  return first ? messageText(first) : '';
}

/** System prompt and every user turn's text, where a classification prompt may put its blocks. */
export function promptText(req: MessagesRequest): string {
  return [systemText(req), ...req.messages.filter((m) => m.role === 'user').map(messageText)].join('\n');
}

export function pastCalls(req: MessagesRequest): PastCall[] {
  return req.messages
    .filter((m) => m.role === 'assistant')
    .flatMap((m) => blocks(m.content))
    .filter((b) => b.type === 'tool_use')
    .map((b) => ({ id: String(b.id), name: String(b.name), input: b.input }));
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((c: unknown) => (typeof c === 'object' && c !== null && typeof (c as { text?: unknown }).text === 'string' ? (c as { text: string }).text : ''))
      .join('\n');
  }
  return '';
}

export function pastResults(req: MessagesRequest): Map<string, PastResult> {
  const out = new Map<string, PastResult>();
  for (const m of req.messages.filter((x) => x.role === 'user')) {
    for (const b of blocks(m.content)) {
      if (b.type !== 'tool_result') continue;
      out.set(String(b.tool_use_id), { text: resultText(b.content), isError: b.is_error === true });
    }
  }
  return out;
}
