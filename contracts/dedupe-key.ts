import { createHash } from 'node:crypto';
import type { IngestEnvelopeV1 } from './ingest-envelope.ts';

/** Lowercase hex SHA-256 of a UTF-8 string. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The fields the dedupe key depends on; any valid envelope has them. */
export type DedupeInput = Pick<IngestEnvelopeV1, 'idempotency_key'> & {
  source: Pick<IngestEnvelopeV1['source'], 'endpoint_identity' | 'sender_identity'>;
  payload: Pick<IngestEnvelopeV1['payload'], 'sent_at' | 'body'>;
};

/**
 * The inbox dedupe key (docs/ecosystem.md §8.1): sha256 of
 * `<endpoint_identity>:<sender_identity>:<idempotency_key>`, or with
 * `<sent_at>|<sha256(body)>` as the third part when there is no key — the same
 * sender, timestamp and body are the same delivery. Values are used as sent.
 */
export function dedupeKey(envelope: DedupeInput): string {
  const { endpoint_identity, sender_identity } = envelope.source;
  const third =
    envelope.idempotency_key !== undefined
      ? envelope.idempotency_key
      : `${envelope.payload.sent_at}|${sha256Hex(envelope.payload.body)}`;
  return sha256Hex(`${endpoint_identity}:${sender_identity}:${third}`);
}
