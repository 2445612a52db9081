import type Anthropic from '@anthropic-ai/sdk';
import type { Logger } from 'pino';
import { startSpan, type Span, type SpanExporter } from '../core/trace/span.ts';
import { classifyApiError } from './api-errors.ts';
import type { SessionServer } from './mcp-connection.ts';
import type { MessagesClient } from './messages-client.ts';
import type { RuntimeArgs, RuntimeInput, RuntimeResult, RuntimeToolCall } from './protocol.ts';

/** What the tool loop needs; the Anthropic client is injected so tests and modes differ only in construction. */
export interface LoopOptions {
  args: RuntimeArgs;
  input: RuntimeInput;
  anthropic: MessagesClient;
  server: SessionServer;
  log: Logger;
  /** The `runtime.session` span; llm.request and mcp.call spans are its children. */
  session: Span;
  exporter?: SpanExporter;
  maxTokens?: number;
}

/**
 * The session: messages.create until end_turn or the turn limit, each
 * tool_use block executed as an MCP call. Never throws: every failure ends
 * as a result with `error` set, keeping what happened so far.
 */
export async function runToolLoop(o: LoopOptions): Promise<RuntimeResult> {
  const { args, log } = o;
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: o.input.prompt }];
  const toolCalls: RuntimeToolCall[] = [];
  const usage: RuntimeResult['usage'] = { input_tokens: null, output_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null };
  // Prompt caching: the tool list and the system prompt are the same on every
  // turn, so both end in a breakpoint; the API caches that prefix once it is at
  // least the model's minimum cacheable length and reads it on later turns.
  const tools = withCacheBreakpoint(o.server.tools);
  const system: Anthropic.TextBlockParam[] | undefined = o.input.system_prompt
    ? [{ type: 'text', text: o.input.system_prompt, cache_control: { type: 'ephemeral' } }]
    : undefined;
  let apiRequests = 0;
  let output = '';
  const result = (extra: Partial<RuntimeResult> = {}): RuntimeResult => ({
    output, tool_calls: toolCalls, usage, api_requests: apiRequests, model: args.model, ...extra,
  });

  for (let turn = 1; turn <= args.maxTurns; turn++) {
    const llm = startSpan('llm.request', o.session.context, { 'llm.model': args.model, 'llm.turn': turn }, { kind: 'client', exporter: o.exporter });
    let res: Anthropic.Message;
    apiRequests++;
    try {
      res = await o.anthropic.messages.create({
        model: args.model,
        max_tokens: o.maxTokens ?? 4096,
        ...(system ? { system } : {}),
        messages,
        ...(tools.length ? { tools } : {}),
      });
    } catch (err) {
      const e = classifyApiError(err);
      llm.end({ error: e.code });
      log.error({ event: 'runtime.llm_failed', error: e.code, status: e.status, message: e.message, turn }, `model request failed: ${e.code}`);
      return result({ error: e.code, error_message: e.message });
    }
    if (res.usage) {
      for (const k of USAGE_FIELDS) usage[k] = (usage[k] ?? 0) + (res.usage[k] ?? 0);
    }
    llm.setAttributes({
      'llm.input_tokens': res.usage?.input_tokens,
      'llm.output_tokens': res.usage?.output_tokens,
      'llm.cache_creation_input_tokens': res.usage?.cache_creation_input_tokens ?? undefined,
      'llm.cache_read_input_tokens': res.usage?.cache_read_input_tokens ?? undefined,
      'llm.stop_reason': res.stop_reason,
    });
    llm.end();
    const text = res.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n').trim();
    if (text) output = text;
    log.debug({ event: 'runtime.llm_response', turn, stop_reason: res.stop_reason, blocks: res.content.map((b) => b.type) }, 'model answered');
    const uses = res.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    if (res.stop_reason !== 'tool_use' || uses.length === 0) return result();

    messages.push({ role: 'assistant', content: res.content });
    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const use of uses) {
      const span = startSpan(`mcp.call ${use.name}`, o.session.context, { 'tool.name': use.name, 'rpc.system': 'mcp' }, { kind: 'client', exporter: o.exporter });
      const meta: Record<string, string> = { traceparent: span.traceparent };
      const tracestate = process.env.TRACESTATE;
      if (tracestate) meta.tracestate = tracestate;
      const out = await o.server.call(use.name, use.input, meta);
      span.end(out.isError ? { error: 'tool_error' } : undefined);
      log.debug({ event: 'runtime.tool_call', tool: use.name, is_error: out.isError }, `tool ${use.name} ${out.isError ? 'failed' : 'succeeded'}`);
      toolCalls.push({ name: use.name, arguments: use.input, result: out.result, is_error: out.isError });
      results.push({ type: 'tool_result', tool_use_id: use.id, content: out.text, ...(out.isError ? { is_error: true } : {}) });
    }
    messages.push({ role: 'user', content: results });
  }
  log.warn({ event: 'runtime.max_turns', max_turns: args.maxTurns }, `the model still wanted tools after ${args.maxTurns} turns`);
  return result({ error: 'max_turns', error_message: `the model still wanted tools after ${args.maxTurns} turns` });
}

/** The usage counters summed over a session's requests (all four are what the API bills). */
const USAGE_FIELDS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const;

/** The tools with a cache breakpoint on the last one (which caches the whole list); the input is not changed. */
export function withCacheBreakpoint(tools: readonly Anthropic.Tool[]): Anthropic.Tool[] {
  return tools.map((t, i) => (i === tools.length - 1 ? { ...t, cache_control: { type: 'ephemeral' as const } } : t));
}
