import { z } from 'zod';
import { classificationFallback, type ClassificationOutcome, type FallbackReason, parseClassification, type RegistryEligibility, type SpawnerResult } from '@butlers/framework/contracts';
import { defineTool, meter, startSpan, traceIdOf } from '@butlers/framework';
import { classificationPrompt, type RoutingHints } from '../lib/classify-prompt.ts';
import { defined, spawnerOf } from '../lib/services.ts';

interface RegistryRow extends RegistryEligibility {
  description: string | null;
  capabilities: unknown;
}

/** The session's failure as a fallback reason: its own timeout, or anything else the model side did. */
function failureReason(r: SpawnerResult): FallbackReason {
  return r.error === 'timeout' || /^timeout\b/i.test(r.error ?? '') ? 'timeout' : 'llm_error';
}

/** `classify` (docs/ecosystem.md §8.2): one classification session, parsed leniently, never failing. */
export default defineTool({
  name: 'classify',
  audience: 'operator',
  description: [
    'Decide which butlers should handle a message: runs one classification session over the active, routable registry',
    'entries and returns self-contained per-butler requests. Never fails: when the answer is unusable, or the session fails',
    'or times out, the whole message goes to the general butler with fallback true and the reason.',
    '',
    'Use when: classify a message, split a message between butlers, decide where a message should go.',
  ].join('\n'),
  input: {
    text: z.string().min(1).describe('The message text to classify'),
    request_id: z.string().uuid().describe('Inbox request id from ingest; its routing hints are used and its status becomes classified').optional(),
    tag: z.string().max(200).describe('Correlation tag stored on the classification session').optional(),
    timeout_ms: z.number().int().min(1).describe('Session timeout for this classification in milliseconds').optional(),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query<RegistryRow>(
      'SELECT name, description, capabilities, eligibility_state, routable FROM butler_registry ORDER BY name',
    );
    const eligible = rows.filter((r) => r.eligibility_state === 'active' && r.routable);
    let hints: RoutingHints | null = null;
    if (args.request_id) {
      const inbox = await ctx.db.query<{ routing_hints: RoutingHints | null }>('SELECT routing_hints FROM message_inbox WHERE request_id = $1', [args.request_id]);
      hints = inbox.rows[0]?.routing_hints ?? null;
    }
    const prompt = classificationPrompt(
      eligible.map((r) => ({ name: r.name, description: r.description ?? '', capabilities: Array.isArray(r.capabilities) ? r.capabilities.map(String) : [] })),
      args.text,
      hints,
    );
    const traceId = traceIdOf(ctx.meta);
    const fields = { request_id: args.request_id ?? null, tag: args.tag ?? null, ...(traceId ? { trace_id: traceId } : {}) };
    ctx.log.debug({ event: 'classify.prompt', ...fields, prompt }, 'classification prompt');

    const spawner = spawnerOf(ctx);
    let outcome: ClassificationOutcome;
    let sessionId: string | null = null;
    const span = startSpan('switchboard.classify', ctx.meta.traceparent as string | undefined, { eligible_butlers: eligible.length });
    const started = performance.now();
    if (!spawner) {
      ctx.log.warn({ event: 'classify.no_spawner', ...fields }, 'no spawner on this daemon: classification falls back to general');
      outcome = classificationFallback(args.text, 'llm_error');
    } else {
      let result: SpawnerResult | null = null;
      try {
        result = await spawner.run({
          prompt, kind: 'classification', triggerSource: 'external',
          ...defined({ requestId: args.request_id, tag: args.tag, timeoutMs: args.timeout_ms, traceparent: span.traceparent }),
        });
      } catch (err) {
        ctx.log.warn({ event: 'classify.session_error', ...fields, error: (err as Error).message }, 'the classification session could not run');
      }
      if (result) recordClassification(result, performance.now() - started);
      sessionId = result?.session_id ?? null;
      ctx.log.debug({ event: 'classify.response', ...fields, session_id: sessionId, raw: result?.output ?? null, error: result?.error ?? null }, 'classification response');
      outcome = !result
        ? classificationFallback(args.text, 'llm_error')
        : result.success && result.output !== null
          ? parseClassification(result.output, rows, args.text)
          : classificationFallback(args.text, failureReason(result));
    }
    if (args.request_id) {
      await ctx.db.query(
        `UPDATE message_inbox SET status = 'classified', updated_at = now() WHERE request_id = $1 AND status IN ('accepted', 'classified')`,
        [args.request_id],
      );
    }
    const butlers = outcome.entries.map((e) => e.butler);
    span.setAttributes({ 'classify.butlers': butlers, 'classify.fallback': outcome.fallback, 'classify.fallback_reason': outcome.fallback_reason ?? undefined, ...(sessionId ? { 'session.id': sessionId } : {}) });
    span.end();
    ctx.log.info(
      { event: 'classify.result', ...fields, session_id: sessionId, butlers, count: butlers.length, fallback: outcome.fallback, warnings: outcome.warnings.map((w) => w.code) },
      `classified into ${butlers.join(', ')}${outcome.fallback ? ` (fallback: ${outcome.fallback_reason})` : ''}`,
    );
    if (outcome.fallback) {
      ctx.log.warn({ event: 'classify.fallback', ...fields, session_id: sessionId, reason: outcome.fallback_reason }, `classification fell back to general: ${outcome.fallback_reason}`);
    }
    return { ...outcome, session_id: sessionId };
  },
});

/** The classification metrics of docs/ecosystem.md §15.3, recorded once per session that ran. */
function recordClassification(r: SpawnerResult, durationMs: number): void {
  const m = meter();
  (instruments ??= {
    duration: m.createHistogram('switchboard.classify.duration_ms', { description: 'classification session latency', unit: 'ms' }),
    tokens: m.createCounter('switchboard.classify.tokens', { description: 'tokens used by classification' }),
  }).duration.record(durationMs, { model: r.model });
  if (typeof r.input_tokens === 'number') instruments.tokens.add(r.input_tokens, { direction: 'input' });
  if (typeof r.output_tokens === 'number') instruments.tokens.add(r.output_tokens, { direction: 'output' });
}
let instruments: { duration: ReturnType<ReturnType<typeof meter>['createHistogram']>; tokens: ReturnType<ReturnType<typeof meter>['createCounter']> } | undefined;
