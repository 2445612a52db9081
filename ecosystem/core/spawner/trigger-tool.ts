import { z } from 'zod';
import { TRIGGER_SOURCES } from '../../../contracts/session-row.ts';
import { defineTool, type ToolDef } from '../tool.ts';
import type { SpawnerService } from './types.ts';

/** The `trigger` core tool (docs/ecosystem.md §6); the timeout bound comes from `runtime.timeout_s`. */
export function createTriggerTool(spawner: SpawnerService, timeoutS: number): ToolDef {
  return defineTool({
    name: 'trigger',
    audience: 'operator',
    // The prompt is user content (message bodies, recipients): debug lines and spans show `***` (SEC-15, SEC-17).
    sensitive: ['prompt'],
    description:
      'Run one LLM session on this butler with the given prompt and return its result (output, tool calls, tokens, duration). ' +
      'Sessions run one at a time in arrival order.\n' +
      'Use when: an operator, the switchboard or the heartbeat asks this butler to act on a prompt.',
    input: {
      prompt: z.string().min(1).describe('The instruction for the session'),
      trigger_source: z.enum(TRIGGER_SOURCES).default('external').describe('What started the session'),
      request_id: z.string().uuid().optional().describe('The switchboard request this session serves'),
      subrequest_id: z.string().min(1).max(200).optional().describe('The subrequest of the dispatch plan'),
      tag: z.string().min(1).max(200).optional().describe('A label stored on the session row, for finding it later'),
      timeout_ms: z
        .number()
        .int()
        .min(1000)
        .max(timeoutS * 1000)
        .optional()
        .describe(`Session timeout in milliseconds (1000 to ${timeoutS * 1000}); defaults to runtime.timeout_s`),
    },
    async handler(args, ctx) {
      const meta = ctx.meta as { traceparent?: unknown; tracestate?: unknown };
      return spawner.run({
        prompt: args.prompt,
        triggerSource: args.trigger_source,
        requestId: args.request_id ?? null,
        subrequestId: args.subrequest_id ?? null,
        tag: args.tag ?? null,
        timeoutMs: args.timeout_ms,
        traceparent: typeof meta.traceparent === 'string' ? meta.traceparent : undefined,
        tracestate: typeof meta.tracestate === 'string' ? meta.tracestate : undefined,
      });
    },
  });
}
