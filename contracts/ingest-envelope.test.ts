import { expect, test } from '@playwright/test';
import {
  ALLOWED_PROVIDERS,
  CHANNELS,
  IngestAccepted,
  PROVIDERS,
  validateEnvelope,
  type ContractIssue,
} from './index.ts';

// Written out independently of the implementation's table (CON-11).
const ALLOWED_PAIRS = ['telegram/telegram', 'slack/slack', 'email/gmail', 'email/imap', 'api/internal', 'mcp/internal'];

function envelope(): Record<string, any> {
  return {
    schema_version: 'ingest.v1',
    source: { channel: 'api', provider: 'internal', endpoint_identity: 'bot-1', sender_identity: 'owner' },
    payload: { content_type: 'text/plain', body: 'Log my weight: 80kg', sent_at: '2026-02-16T10:00:00Z' },
    idempotency_key: 't-12345678-r0',
  };
}

function issuesOf(input: unknown): ContractIssue[] {
  const result = validateEnvelope(input);
  expect(result.ok, JSON.stringify(result)).toBe(false);
  return result.ok ? [] : result.issues;
}

function withChange(change: (e: Record<string, any>) => void): Record<string, any> {
  const e = envelope();
  change(e);
  return e;
}

test.describe('IngestEnvelopeV1', () => {
  test('a well-formed envelope is accepted and kept as sent', () => {
    const input = withChange((e) => {
      e.thread_target = { thread_id: 'th-1', message_id: 'm-1' };
      e.notification_preferences = { channel: 'telegram', mode: 'reply', recipient: 'owner' };
      e.routing_hints = { preferred_butlers: ['health'], exclude_butlers: ['general'] };
      e.source.endpoint_identity = '  bot-1  ';
    });
    const result = validateEnvelope(input);
    expect(result).toEqual({ ok: true, value: input });
  });

  test('an envelope with only the required fields (an older sender) is accepted', () => {
    const input = withChange((e) => delete e.idempotency_key);
    expect(validateEnvelope(input).ok).toBe(true);
  });

  test('unsupported_schema_version names received and expected; whitespace is trimmed', () => {
    for (const version of ['ingest.v2', 'ingest.v0', 42]) {
      const [issue] = issuesOf(withChange((e) => (e.schema_version = version)));
      expect(issue.code).toBe('unsupported_schema_version');
      expect(issue.path).toBe('schema_version');
      expect(issue.message).toContain(JSON.stringify(version));
      expect(issue.message).toContain('ingest.v1');
    }
    expect(validateEnvelope(withChange((e) => (e.schema_version = '  ingest.v1 '))).ok).toBe(true);
  });

  test('invalid_enum_value for an unknown channel', () => {
    const issues = issuesOf(withChange((e) => (e.source.channel = 'fax')));
    expect(issues).toEqual([expect.objectContaining({ path: 'source.channel', code: 'invalid_enum_value' })]);
  });

  test('telegram channel with gmail provider is invalid_source_provider', () => {
    const issues = issuesOf(withChange((e) => Object.assign(e.source, { channel: 'telegram', provider: 'gmail' })));
    expect(issues).toEqual([
      { path: 'source.provider', code: 'invalid_source_provider', message: expect.stringContaining('telegram') },
    ]);
  });

  test('invalid_source_provider is reported even when another source field is broken', () => {
    const issues = issuesOf(withChange((e) => {
      Object.assign(e.source, { channel: 'slack', provider: 'imap' });
      delete e.source.sender_identity;
    }));
    expect(issues.map((i) => `${i.path}:${i.code}`).sort()).toEqual([
      'source.provider:invalid_source_provider',
      'source.sender_identity:required',
    ]);
  });

  test('CON-11 every channel x provider pair: allowed accepted, all others invalid_source_provider', () => {
    let accepted = 0;
    for (const channel of CHANNELS) {
      for (const provider of [...PROVIDERS, 'carrier-pigeon']) {
        const result = validateEnvelope(withChange((e) => Object.assign(e.source, { channel, provider })));
        const allowed = ALLOWED_PAIRS.includes(`${channel}/${provider}`);
        if (allowed) {
          expect(result.ok, `${channel}/${provider}`).toBe(true);
          accepted++;
        } else {
          expect(result.ok ? [] : result.issues.map((i) => i.code), `${channel}/${provider}`).toEqual([
            'invalid_source_provider',
          ]);
        }
      }
    }
    expect(accepted).toBe(6);
    expect(Object.entries(ALLOWED_PROVIDERS).flatMap(([c, ps]) => ps.map((p) => `${c}/${p}`)).sort()).toEqual([...ALLOWED_PAIRS].sort());
  });

  test('too_small for empty or whitespace strings, at the field path', () => {
    const cases: [string, (e: Record<string, any>) => void][] = [
      ['payload.content_type', (e) => (e.payload.content_type = '')],
      ['payload.body', (e) => (e.payload.body = '   ')],
      ['source.endpoint_identity', (e) => (e.source.endpoint_identity = ' \t')],
      ['source.sender_identity', (e) => (e.source.sender_identity = '')],
      ['idempotency_key', (e) => (e.idempotency_key = '')],
    ];
    for (const [path, change] of cases) {
      expect(issuesOf(withChange(change)), path).toEqual([
        { path, code: 'too_small', message: expect.stringContaining(path) },
      ]);
    }
  });

  test('too_big for an idempotency key over 256 characters; 256 is fine', () => {
    expect(validateEnvelope(withChange((e) => (e.idempotency_key = 'k'.repeat(256)))).ok).toBe(true);
    const issues = issuesOf(withChange((e) => (e.idempotency_key = 'k'.repeat(257))));
    expect(issues).toEqual([{ path: 'idempotency_key', code: 'too_big', message: expect.stringContaining('256') }]);
  });

  test('rfc3339_string_required for naive times and non-strings; zoned forms accepted', () => {
    for (const sentAt of ['2026-02-16T10:00:00', '2026-02-16 10:00:00Z', '2026-02-16', 1771236000, null, '2026-13-01T10:00:00Z']) {
      const issues = issuesOf(withChange((e) => (e.payload.sent_at = sentAt)));
      expect(issues.map((i) => `${i.path}:${i.code}`), String(sentAt)).toEqual(['payload.sent_at:rfc3339_string_required']);
    }
    for (const sentAt of ['2026-02-16T10:00:00Z', '2026-02-16T10:00:00.123456+01:00', '2026-02-16T10:00:00.5-05:30']) {
      expect(validateEnvelope(withChange((e) => (e.payload.sent_at = sentAt))).ok, sentAt).toBe(true);
    }
  });

  test('unrecognized_keys at the top level and inside source name the key; metadata is open', () => {
    const top = issuesOf(withChange((e) => (e.unknown_field = 'value')));
    expect(top).toEqual([{ path: 'unknown_field', code: 'unrecognized_keys', message: expect.stringContaining('"unknown_field"') }]);
    const nested = issuesOf(withChange((e) => (e.source.extra = 1)));
    expect(nested).toEqual([{ path: 'source.extra', code: 'unrecognized_keys', message: expect.stringContaining('"extra"') }]);
    const thread = issuesOf(withChange((e) => (e.thread_target = { thread_id: 't', reply_to: 'x' })));
    expect(thread.map((i) => i.code)).toEqual(['unrecognized_keys']);
    const open = withChange((e) => (e.metadata = { anything: { nested: [1, 2] }, more: null }));
    expect(validateEnvelope(open)).toEqual({ ok: true, value: open });
  });

  test('required when a required key is absent, at its path', () => {
    expect(issuesOf(withChange((e) => delete e.source))).toEqual([
      { path: 'source', code: 'required', message: 'source is required' },
    ]);
    for (const path of ['schema_version', 'payload.sent_at', 'payload.body', 'source.channel']) {
      const [first, second] = path.split('.');
      const issues = issuesOf(withChange((e) => (second ? delete e[first][second] : delete e[first])));
      expect(issues.map((i) => `${i.path}:${i.code}`), path).toEqual([`${path}:required`]);
    }
  });

  test('notification preferences and routing hints are checked', () => {
    const issues = issuesOf(withChange((e) => (e.notification_preferences = { channel: 'slack', mode: 'loud' })));
    expect(issues.map((i) => `${i.path}:${i.code}`)).toEqual([
      'notification_preferences.channel:invalid_enum_value',
      'notification_preferences.mode:invalid_enum_value',
    ]);
  });

  test('several problems are all reported at once', () => {
    const issues = issuesOf(withChange((e) => {
      e.schema_version = 'ingest.v2';
      e.payload.body = '';
      e.extra = true;
    }));
    expect(issues.map((i) => i.code).sort()).toEqual(['too_small', 'unrecognized_keys', 'unsupported_schema_version']);
  });

  test('IngestAccepted requires a uuid and status accepted', () => {
    const ok = { request_id: '0b5e3c1e-3f0a-4c6b-9d43-0c3f0a4c6b9d', status: 'accepted', duplicate: true };
    expect(IngestAccepted.safeParse(ok).success).toBe(true);
    expect(IngestAccepted.safeParse({ ...ok, status: 'duplicate' }).success).toBe(false);
    expect(IngestAccepted.safeParse({ ...ok, request_id: 'r-1' }).success).toBe(false);
  });

  test('CON-47 contract examples: every example envelope is accepted or refused exactly as stated', () => {
    const examples: [string, (e: Record<string, any>) => void, string | null][] = [
      ['CON-01 well-formed', () => {}, null],
      ['CON-02 ingest.v2', (e) => (e.schema_version = 'ingest.v2'), 'schema_version:unsupported_schema_version'],
      ['CON-03 telegram/gmail', (e) => Object.assign(e.source, { channel: 'telegram', provider: 'gmail' }), 'source.provider:invalid_source_provider'],
      ['CON-04 naive sent_at', (e) => (e.payload.sent_at = '2026-02-16T10:00:00'), 'payload.sent_at:rfc3339_string_required'],
      ['CON-06 source omitted', (e) => delete e.source, 'source:required'],
      ['CON-07 top-level extra', (e) => (e.unknown_field = 'value'), 'unknown_field:unrecognized_keys'],
      ['CON-07 metadata open', (e) => (e.metadata = { any: 'thing', n: 1 }), null],
      ['CON-08 empty content_type', (e) => (e.payload.content_type = ''), 'payload.content_type:too_small'],
      ['CON-45 ingest.v0', (e) => (e.schema_version = 'ingest.v0'), 'schema_version:unsupported_schema_version'],
      ['CON-46 required only', (e) => delete e.idempotency_key, null],
    ];
    for (const [name, change, expected] of examples) {
      const result = validateEnvelope(withChange(change));
      const got = result.ok ? null : result.issues.map((i) => `${i.path}:${i.code}`).join(',');
      expect(got, name).toBe(expected);
    }
  });
});
