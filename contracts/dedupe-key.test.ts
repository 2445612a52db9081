import { createHash } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { dedupeKey, type IngestEnvelopeV1 } from './index.ts';

// Computed independently of the implementation, the way an e2e test would.
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const base: IngestEnvelopeV1 = {
  schema_version: 'ingest.v1',
  source: { channel: 'api', provider: 'internal', endpoint_identity: 'bot-1', sender_identity: 'owner' },
  payload: { content_type: 'text/plain', body: 'Log my weight: 80kg', sent_at: '2026-02-16T10:00:00Z' },
  idempotency_key: 't-abc-r0',
};

test.describe('dedupeKey', () => {
  test('with an idempotency key: sha256 of endpoint:sender:key, lowercase hex', () => {
    const key = dedupeKey(base);
    expect(key).toBe(sha('bot-1:owner:t-abc-r0'));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the body does not matter when a key is present; the sender does', () => {
    expect(dedupeKey({ ...base, payload: { ...base.payload, body: 'something else' } })).toBe(dedupeKey(base));
    expect(dedupeKey({ ...base, source: { ...base.source, sender_identity: 'someone' } })).not.toBe(dedupeKey(base));
  });

  test('without a key: the third part is <sent_at>|<sha256(body)>', () => {
    const { idempotency_key: _omit, ...noKey } = base;
    const expected = sha(`bot-1:owner:2026-02-16T10:00:00Z|${sha('Log my weight: 80kg')}`);
    expect(dedupeKey(noKey)).toBe(expected);
    const later = { ...noKey, payload: { ...noKey.payload, sent_at: '2026-02-16T10:00:01Z' } };
    expect(dedupeKey(later)).not.toBe(expected);
  });

  test('non-ASCII text is hashed as UTF-8', () => {
    const envelope = { ...base, idempotency_key: 'clé-é' };
    expect(dedupeKey(envelope)).toBe(createHash('sha256').update(Buffer.from('bot-1:owner:clé-é', 'utf8')).digest('hex'));
  });
});
