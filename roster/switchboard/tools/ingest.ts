import { z } from 'zod';
import { dedupeKey, validateEnvelope } from '@butlers/framework/contracts';
import { childTrace, defineTool, ToolError, traceIdOf, withSpan } from '@butlers/framework';

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/** `ingest` (docs/ecosystem.md §8.1): validate, dedupe, record in the inbox. */
export default defineTool({
  name: 'ingest',
  audience: 'operator',
  description: [
    'Accept one incoming message envelope (schema ingest.v1) into the switchboard inbox.',
    'The envelope is validated before anything is stored; a repeated delivery (same endpoint, sender and idempotency key,',
    'or same timestamp and body without a key) returns the stored request id with duplicate true.',
    '',
    'Use when: a message arrives from Telegram, email, Slack or the API, record an incoming message, start the pipeline for a message.',
  ].join('\n'),
  input: {
    envelope: z
      .unknown()
      .describe(
        'The IngestEnvelopeV1 object: schema_version "ingest.v1", source { channel, provider, endpoint_identity, sender_identity }, ' +
          'payload { content_type, body, sent_at (RFC 3339 with zone) }, and optional idempotency_key, thread_target, ' +
          'notification_preferences, routing_hints, metadata',
      ),
  },
  async handler(args, ctx) {
    const checked = validateEnvelope(args.envelope);
    if (!checked.ok) {
      const summary = checked.issues.map((i) => `${i.path || '(envelope)'}: ${i.code}`).join('; ');
      throw new ToolError('validation_error', `the envelope is not a valid ingest.v1 envelope: ${summary}`, { issues: checked.issues });
    }
    const e = checked.value;
    const key = dedupeKey(e);
    const traceId = traceIdOf(ctx.meta) ?? childTrace(ctx.meta).traceId;
    const inserted = await withSpan('switchboard.ingest', ctx.meta.traceparent as string | undefined, { 'source.channel': e.source.channel, 'source.provider': e.source.provider }, () => ctx.db.query<{ request_id: string }>(
      `INSERT INTO message_inbox (dedupe_key, schema_version, source_channel, source_provider, endpoint_identity, sender_identity,
                                  content_type, body, sent_at, idempotency_key, thread_target, notification_preferences,
                                  routing_hints, metadata, trace_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13::jsonb, $14::jsonb, $15)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING request_id`,
      [
        key, e.schema_version.trim(), e.source.channel, e.source.provider, e.source.endpoint_identity, e.source.sender_identity,
        e.payload.content_type, e.payload.body, e.payload.sent_at, e.idempotency_key ?? null, json(e.thread_target),
        json(e.notification_preferences), json(e.routing_hints), json(e.metadata), traceId,
      ],
    ));
    let requestId = inserted.rows[0]?.request_id;
    const duplicate = requestId === undefined;
    if (duplicate) {
      const stored = await ctx.db.query<{ request_id: string }>('SELECT request_id FROM message_inbox WHERE dedupe_key = $1', [key]);
      requestId = stored.rows[0]?.request_id;
      if (!requestId) throw new ToolError('ingest_conflict', 'the inbox reported a duplicate delivery but holds no row for its dedupe key; retry the call');
    }
    ctx.log.info(
      { event: 'ingest.accepted', request_id: requestId, duplicate, source_channel: e.source.channel, source_provider: e.source.provider, trace_id: traceId },
      duplicate ? `duplicate delivery of request ${requestId}` : `accepted request ${requestId}`,
    );
    return { request_id: requestId, status: 'accepted' as const, duplicate };
  },
});
