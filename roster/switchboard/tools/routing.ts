import { z } from 'zod';
import { defineTool, ToolError } from '@butlers/framework';
import { defined, routerOf } from '../lib/services.ts';

const origin = z.enum(['dispatch', 'heartbeat', 'operator']);

const route = defineTool({
  name: 'route',
  audience: 'operator',
  description: [
    'Call one tool on one registered butler through the switchboard router: registry lookup, eligibility, contract version,',
    'pre-flight check of stale entries, cached MCP client, trace context, timeout. Every call is recorded in routing_log.',
    'A failed route is an error result carrying ok false, error, error_class, message and duration_ms.',
    '',
    'Use when: call a tool on another butler, trigger a session on a butler, check another butler through the switchboard.',
  ].join('\n'),
  input: {
    target_butler: z.string().min(1).describe('Registry name of the butler to call'),
    tool_name: z.string().min(1).describe('Tool to call on that butler'),
    args: z.record(z.string(), z.unknown()).describe('Arguments of that tool').default({}),
    timeout_ms: z.number().int().min(1).describe('Route timeout in milliseconds; default switchboard.route_timeout_ms').optional(),
    request_id: z.string().uuid().describe('Inbox request id this call belongs to').optional(),
    subrequest_id: z.string().min(1).describe('Subrequest id this call belongs to').optional(),
    tag: z.string().max(200).describe('Correlation tag stored in routing_log').optional(),
    origin: origin.describe('Who is routing: dispatch, heartbeat or operator').default('operator'),
  },
  async handler(args, ctx) {
    const r = await routerOf(ctx).route({
      target: args.target_butler, tool: args.tool_name, args: args.args, origin: args.origin, meta: ctx.meta, log: ctx.log,
      ...defined({ timeoutMs: args.timeout_ms, requestId: args.request_id, subrequestId: args.subrequest_id, tag: args.tag }),
    });
    if (r.ok) return r;
    const { error, message, ...details } = r;
    throw new ToolError(error, message, details);
  },
});

const healthCheck = defineTool({
  name: 'registry_health_check',
  audience: 'operator',
  description: [
    'Probe butlers with a status call: every quarantined entry and every entry not seen within switchboard.stale_after_s, or',
    'exactly the named ones. A butler that answers becomes active again with its failure counter reset and last_seen_at now.',
    '',
    'Use when: check the registry health, re-activate quarantined butlers, probe butlers that have not been seen lately.',
  ].join('\n'),
  input: {
    names: z.array(z.string().min(1)).describe('Check only these butlers (default: quarantined and stale entries)').optional(),
    timeout_ms: z.number().int().min(1).describe('Timeout of each status call in milliseconds (default 10000)').optional(),
    origin: origin.describe('Who is asking: heartbeat or operator').default('operator'),
    tag: z.string().max(200).describe('Correlation tag stored in routing_log').optional(),
  },
  async handler(args, ctx) {
    const checked = await routerOf(ctx).healthCheck({
      origin: args.origin, meta: ctx.meta, log: ctx.log,
      ...defined({ names: args.names, timeoutMs: args.timeout_ms, tag: args.tag }),
    });
    return { checked, reactivated: checked.filter((c) => c.reactivated).map((c) => c.name) };
  },
});

const cacheClear = defineTool({
  name: 'route_cache_clear',
  audience: 'operator',
  description: [
    "Drop the router's cached MCP clients, for every butler or for one, so the next route to it connects afresh.",
    '',
    'Use when: reset cached connections, force a new connection to a butler, clear the route cache.',
  ].join('\n'),
  input: {
    target_butler: z.string().min(1).describe('Only this butler (default: all)').optional(),
  },
  async handler(args, ctx) {
    const cleared = await routerOf(ctx).clearCache(args.target_butler);
    return { cleared, target_butler: args.target_butler ?? null };
  },
});

export default [route, healthCheck, cacheClear];
