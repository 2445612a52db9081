import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { buildFanoutPlan, type FanoutOverrides, type FanoutPolicyInput } from '@butlers/framework/contracts';
import { defineTool, meter, startSpan, ToolError, withSpan } from '@butlers/framework';
import { aggregate, NO_RESPONSES, type Synthesize } from '../lib/aggregate.ts';
import { executeFanout } from '../lib/fanout-executor.ts';
import { fanoutLog } from '../lib/fanout-log.ts';
import { defined, routerOf, settingsOf, spawnerOf } from '../lib/services.ts';
import { runResultOf, triggerArgs } from '../lib/subrequest-route.ts';

const POLICY_KEYS = new Set(['mode', 'join_policy', 'abort_policy']);

/** `dispatch` (docs/ecosystem.md §8.3-8.4): plan, route each subrequest's `trigger`, log every step, aggregate the replies. */
export default defineTool({
  name: 'dispatch',
  audience: 'operator',
  description: [
    'Send classified requests to their butlers: builds and validates a fanout plan, routes each request to its butler as a',
    'session, records every subrequest, and combines the replies into one answer. With dry_run only the plan is returned.',
    '',
    'Use when: dispatch classified entries, send the parts of a message to their butlers, run a fanout plan.',
  ].join('\n'),
  input: {
    entries: z
      .array(z.object({ butler: z.string(), prompt: z.string(), segment: z.record(z.string(), z.unknown()).optional() }).passthrough())
      .describe('Classification entries, each with butler, prompt and segment, in the order they should be planned'),
    request_id: z.string().uuid().describe('Inbox request id; its status follows the dispatch').optional(),
    tag: z.string().max(200).describe('Correlation tag passed to every target session').optional(),
    policy: z
      .record(z.string(), z.unknown())
      .describe('mode (parallel, ordered or conditional), join_policy (wait_for_all or first_success), abort_policy (continue, on_required_failure or on_any_failure)')
      .optional(),
    overrides: z
      .unknown()
      .describe('Per entry index (a list, or an object keyed by index): subrequest_id, depends_on, run_if (success, completed or always), required, arbitration_group, arbitration_priority'),
    dry_run: z.boolean().describe('Validate and return the plan without executing or logging it').default(false),
    timeout_ms: z.number().int().min(1).describe('Route timeout per subrequest in milliseconds; default switchboard.route_timeout_ms').optional(),
  },
  async handler(args, ctx) {
    const policy = (args.policy ?? {}) as FanoutPolicyInput & Record<string, unknown>;
    const unknownKey = Object.keys(policy).find((k) => !POLICY_KEYS.has(k));
    if (unknownKey) throw new ToolError('invalid_arguments', `policy.${unknownKey} is not a policy key; use mode, join_policy or abort_policy`);
    const overrides = args.overrides ?? undefined;
    if (overrides !== undefined && overrides !== null && typeof overrides !== 'object') {
      throw new ToolError('invalid_override', 'overrides must be a list indexed like the entries or an object keyed by entry index');
    }
    const built = buildFanoutPlan(args.entries, policy, (overrides ?? undefined) as FanoutOverrides | undefined);
    if (!built.ok) throw new ToolError(built.error, built.message);
    const { plan } = built;
    const requestId = args.request_id ?? null;
    if (args.dry_run) return { dispatch_id: null, request_id: requestId, plan, outcomes: [], aggregate: { text: NO_RESPONSES, method: 'none', conflicts: [] }, dry_run: true };

    const router = routerOf(ctx);
    const dispatchId = randomUUID();
    // One span for the whole dispatch: every route and the aggregation are its children.
    const span = startSpan('switchboard.dispatch', ctx.meta.traceparent as string | undefined, { dispatch_id: dispatchId, fanout_mode: plan.mode, subrequests: plan.subrequests.length });
    const trace = { traceId: span.context.traceId };
    const meta = { ...ctx.meta, traceparent: span.traceparent };
    try {
      const log = ctx.log.child({ dispatch_id: dispatchId });
      const ids = defined({ request_id: args.request_id, tag: args.tag, trace_id: trace.traceId });
      const rows = fanoutLog(ctx.db, dispatchId, requestId);
      await rows.insertPlan(plan);
      log.info(
        {
          event: 'dispatch.plan', ...ids, mode: plan.mode, join_policy: plan.join_policy, abort_policy: plan.abort_policy,
          subrequests: plan.subrequests.map((s) => ({ subrequest_id: s.subrequest_id, butler: s.butler, depends_on: s.depends_on, run_if: s.run_if, required: s.required })),
        },
        `dispatching ${plan.subrequests.length} subrequest(s) ${plan.mode}`,
      );
      const setInbox = async (status: string) => {
        if (requestId) await ctx.db.query('UPDATE message_inbox SET status = $2, updated_at = now() WHERE request_id = $1', [requestId, status]);
      };
      await setInbox('dispatched');
      const hookFailed = (what: string) => (err: unknown) => log.error({ event: 'dispatch.log_failed', what, error: (err as Error).message }, `fanout_execution_log ${what} failed`);
      const exec = await executeFanout(plan, {
        run: async (sub) =>
          runResultOf(
            await router.route({
              target: sub.butler, tool: 'trigger', args: triggerArgs(sub, args.request_id, args.tag), origin: 'dispatch',
              requestId, subrequestId: sub.subrequest_id, tag: args.tag ?? null, meta, log, ...defined({ timeoutMs: args.timeout_ms }),
            }),
          ),
        started: (sub, at) => rows.running(sub.subrequest_id, at).catch(hookFailed('start')),
        finished: (_sub, f) => rows.finished(f).catch(hookFailed('finish')),
        settled: (sub, status, reason) => rows.settled(sub.subrequest_id, status, reason).catch(hookFailed(status)),
      });
      subrequestsHistogram().record(plan.subrequests.length, { fanout_mode: plan.mode });
      const succeeded = exec.outcomes.some((o) => o.status === 'success');
      await setInbox(succeeded ? 'completed' : 'failed');

      const spawner = spawnerOf(ctx);
      const synthesize: Synthesize | undefined =
        settingsOf(ctx).synthesis && spawner
          ? async (prompt) => {
              const r = await spawner.run({
                prompt, kind: 'synthesis', triggerSource: 'external',
                ...defined({ requestId: args.request_id, tag: args.tag, traceparent: meta.traceparent }),
              });
              if (!r.success) log.warn({ event: 'dispatch.synthesis_failed', ...ids, session_id: r.session_id, error: r.error }, 'synthesis failed; concatenating the replies');
              return r.success ? r.output : null;
            }
          : undefined;
      const agg = await withSpan('switchboard.aggregate', meta.traceparent, { outcomes: exec.outcomes.length }, async (a) => {
        const r = await aggregate(plan, exec.outcomes, synthesize);
        a.setAttributes({ 'aggregate.method': r.method, 'aggregate.conflicts': r.conflicts.length });
        return r;
      });
      log.info(
        { event: 'dispatch.result', ...ids, statuses: Object.fromEntries(exec.outcomes.map((o) => [o.subrequest_id, o.status])), method: agg.method, conflicts: agg.conflicts.length },
        `dispatch finished: ${exec.outcomes.map((o) => `${o.butler} ${o.status}`).join(', ')}`,
      );
      span.setAttributes({ 'dispatch.statuses': exec.outcomes.map((o) => `${o.butler}:${o.status}`) });
      span.end(succeeded ? undefined : { error: 'no subrequest succeeded' });
      return { dispatch_id: dispatchId, request_id: requestId, plan, outcomes: exec.outcomes, aggregate: agg };
    } catch (err) {
      span.end({ error: (err as Error)?.message ?? String(err) });
      throw err;
    }
  },
});

let subrequests: ReturnType<ReturnType<typeof meter>['createHistogram']> | undefined;
/** `switchboard.dispatch.subrequests` (docs/ecosystem.md §15.3). */
const subrequestsHistogram = () => (subrequests ??= meter().createHistogram('switchboard.dispatch.subrequests', { description: 'subrequests per dispatch' }));
