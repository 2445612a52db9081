import fc from 'fast-check';
import { ALLOWED_PROVIDERS, CHANNELS, PROVIDERS, type Channel } from '../../contracts/index.ts';

/**
 * fast-check arbitraries for `IngestEnvelopeV1` (docs/contracts.md §2.1):
 * valid envelopes with every optional part, and invalid ones made from a
 * valid one by one to three violations on distinct parts of it, each
 * violation carrying the issue (path, code) the contract must report.
 */

export type Envelope = Record<string, any>;
export interface Violation {
  /** The top-level part it breaks; violations of one envelope break distinct parts. */
  part: string;
  /** What it does, for the printed counterexample. */
  what: string;
  /** The issues the contract must report for it (path, code). */
  expect: { path: string; code: string }[];
  apply(e: Envelope): void;
}

const ZONES = ['Z', '+00:00', '+01:00', '-05:30', '+14:00'];
/** RFC 3339 with a zone, from a real date (fraction of 0–6 digits). */
const rfc3339 = fc
  .tuple(fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 6 }))
  .map(([d, zone, digits]) => {
    const base = d.toISOString().slice(0, 19);
    const frac = digits ? `.${String(d.getUTCMilliseconds()).padStart(3, '0').padEnd(digits, '0').slice(0, digits)}` : '';
    return `${base}${frac}${zone}`;
  });

/** Text with something besides whitespace: emoji, combining marks, RTL, astral planes, NUL-free. */
const text = (max = 200) =>
  fc
    .oneof(fc.string({ minLength: 1, maxLength: max }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: max }), fc.constantFrom('Log weight 80kg', 'שלום', 'e\u0301', '👩‍👩‍👧', '\u202eabc', 'a'.repeat(max)))
    .filter((s) => s.trim().length > 0 && !s.includes('\u0000'));

const pair = fc.constantFrom(...CHANNELS).chain((channel) => fc.constantFrom(...ALLOWED_PROVIDERS[channel]).map((provider) => ({ channel, provider })));

/** A valid envelope; `unique` makes its dedupe key unique (sender identity), so generated ones never collide. */
export function validEnvelope(unique: () => string): fc.Arbitrary<Envelope> {
  return fc
    .record(
      {
        pair,
        endpoint: text(60),
        content_type: fc.constantFrom('text/plain', 'text/markdown', 'application/json', 'text/html; charset=utf-8'),
        body: text(500),
        sent_at: rfc3339,
        idempotency_key: fc.oneof(fc.constant(undefined), text(256).filter((s) => s.length <= 256)),
        thread_target: fc.option(fc.record({ thread_id: fc.string(), message_id: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: ['thread_id'] }), { nil: undefined }),
        notification_preferences: fc.option(
          fc.record({ channel: fc.constantFrom('telegram', 'email'), mode: fc.constantFrom('reply', 'silent'), recipient: fc.string() }, { requiredKeys: [] }),
          { nil: undefined },
        ),
        routing_hints: fc.option(fc.record({ preferred_butlers: fc.array(fc.string(), { maxLength: 3 }), exclude_butlers: fc.array(fc.string(), { maxLength: 3 }) }, { requiredKeys: [] }), { nil: undefined }),
        metadata: fc.option(fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 })), { nil: undefined }),
      },
      { requiredKeys: ['pair', 'endpoint', 'content_type', 'body', 'sent_at'] },
    )
    .map((r) => {
      const e: Envelope = {
        schema_version: 'ingest.v1',
        source: { channel: r.pair.channel, provider: r.pair.provider, endpoint_identity: r.endpoint, sender_identity: `sender-${unique()}` },
        payload: { content_type: r.content_type, body: r.body, sent_at: r.sent_at },
      };
      for (const k of ['idempotency_key', 'thread_target', 'notification_preferences', 'routing_hints', 'metadata'] as const) {
        if (r[k] !== undefined) e[k] = r[k];
      }
      return e;
    });
}

const at = (path: string) => path.split('.');
function set(e: Envelope, path: string, value: unknown) {
  const keys = at(path);
  let o = e;
  for (const k of keys.slice(0, -1)) o = o[k];
  o[keys[keys.length - 1]] = value;
}
function del(e: Envelope, path: string) {
  const keys = at(path);
  let o = e;
  for (const k of keys.slice(0, -1)) o = o[k];
  delete o[keys[keys.length - 1]];
}
const part = (path: string) => at(path)[0];
const v = (path: string, code: string, what: string, apply: (e: Envelope) => void, expectPath = path): Violation => ({ part: part(path), what, expect: [{ path: expectPath, code }], apply });
const setTo = (path: string, code: string) => (value: unknown) => v(path, code, `${path} = ${short(value)}`, (e) => set(e, path, value));
const short = (x: unknown) => {
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 60 ? `${s.slice(0, 57)}… (${s.length} chars)` : s;
};

const notString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const blank = fc.constantFrom('', ' ', '\t', '\n', '   ', '\u2003');
const deep = (n: number) => {
  let o: unknown = 'bottom';
  for (let i = 0; i < n; i++) o = { nested: o };
  return o;
};
const unknownKey = fc.oneof(fc.constantFrom('unknown_field', 'schemaVersion', 'Source', '__proto_x', 'idempotencyKey', 'é', '🔑'), fc.string({ minLength: 1, maxLength: 12 }));
const unknownValue = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.integer({ min: 20, max: 60 }).map(deep), fc.jsonValue({ maxDepth: 2 }));

/** Every kind of violation §2.1 names; each arbitrary needs the envelope's channel only for the provider mismatch. */
export const violation: fc.Arbitrary<Violation> = fc.oneof(
  // schema_version
  fc.oneof(fc.constantFrom('ingest.v2', 'ingest.v0', '', 'INGEST.V1', 'ingest.v1.0', 'ingest-v1', 'v1'), fc.string().filter((s) => s.trim() !== 'ingest.v1'), notString).map(setTo('schema_version', 'unsupported_schema_version')),
  // a required key absent
  fc
    .constantFrom('schema_version', 'source', 'payload', 'source.channel', 'source.provider', 'source.endpoint_identity', 'source.sender_identity', 'payload.content_type', 'payload.body', 'payload.sent_at')
    .map((p) => v(p, 'required', `${p} absent`, (e) => del(e, p))),
  // channel outside the enum
  fc.oneof(fc.constantFrom('sms', 'Telegram', 'EMAIL', '', 'whatsapp'), fc.string()).filter((s) => !(CHANNELS as readonly string[]).includes(s)).map(setTo('source.channel', 'invalid_enum_value')),
  // a provider not allowed for the envelope's (valid) channel, or unknown
  fc.oneof(fc.constantFrom(...PROVIDERS), fc.constantFrom('outlook', 'Telegram', ''), fc.string()).map((provider) =>
    v('source.provider', 'invalid_source_provider', `source.provider = ${short(provider)} (if not allowed for the channel)`, (e) => {
      const allowed = ALLOWED_PROVIDERS[e.source.channel as Channel] as readonly string[];
      e.source.provider = allowed.includes(provider) ? (provider === 'internal' ? 'telegram' : 'internal') : provider;
    }),
  ),
  // blank and mistyped strings
  ...['source.endpoint_identity', 'source.sender_identity', 'payload.content_type', 'payload.body'].flatMap((p) => [blank.map(setTo(p, 'too_small')), fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.constant(null)).map(setTo(p, 'invalid_type'))]),
  // naive or malformed timestamps
  fc
    .oneof(
      fc.constantFrom('2026-02-16T10:00:00', '2026-02-16 10:00:00Z', '2026-02-16', '2026-13-01T00:00:00Z', '2026-02-16T24:00:00Z', '2026-02-16T10:00:00.1234567Z', '2026-02-16T10:00:00+0100', '16/02/2026 10:00', ''),
      rfc3339.map((s) => s.replace(/(Z|[+-]\d\d:\d\d)$/, '')),
      fc.oneof(fc.integer(), fc.constant(null), fc.boolean()),
    )
    .map(setTo('payload.sent_at', 'rfc3339_string_required')),
  // idempotency key empty or over-long
  blank.map(setTo('idempotency_key', 'too_small')),
  fc.integer({ min: 257, max: 5000 }).map((n) => v('idempotency_key', 'too_big', `idempotency_key of ${n} chars`, (e) => set(e, 'idempotency_key', 'k'.repeat(n)))),
  // unknown keys at every level (metadata excepted)
  fc.tuple(fc.constantFrom('', 'source', 'payload', 'thread_target', 'notification_preferences', 'routing_hints'), unknownKey, unknownValue).map(([where, key, value]) => ({
    part: where === '' ? `extra:${key}` : where,
    what: `unknown key ${short(key)} in ${where || 'the envelope'}`,
    expect: [{ path: where ? `${where}.${key}` : key, code: 'unrecognized_keys' }],
    apply(e: Envelope) {
      if (where === 'thread_target') e.thread_target = { thread_id: 't-1' };
      if (where === 'notification_preferences' || where === 'routing_hints') e[where] = {};
      const target = where ? e[where] : e;
      if (Object.prototype.hasOwnProperty.call(target, key)) {
        // The generated key names a real field: make it unknown by decorating it.
        (this as Violation).expect = [{ path: where ? `${where}.${key}_x` : `${key}_x`, code: 'unrecognized_keys' }];
        target[`${key}_x`] = value;
      } else target[key] = value;
    },
  })),
  // wrong shapes of the objects themselves and of the optional parts
  fc.constantFrom<[string, unknown]>(['source', 'telegram'], ['source', []], ['payload', 'Log weight'], ['payload', null], ['thread_target', 'thread-1'], ['routing_hints', ['health']], ['metadata', ['a']], ['metadata', 'x'], ['notification_preferences', 42])
    .map(([p, value]) => setTo(p, 'invalid_type')(value)),
  fc.constantFrom<[string, unknown, string]>(
    ['notification_preferences', { mode: 'loud' }, 'notification_preferences.mode'],
    ['notification_preferences', { channel: 'sms' }, 'notification_preferences.channel'],
  ).map(([p, value, path]) => v(p, 'invalid_enum_value', `${p} = ${short(value)}`, (e) => set(e, p, value), path)),
  fc.constantFrom<[string, unknown, string]>(
    ['routing_hints', { preferred_butlers: 'health' }, 'routing_hints.preferred_butlers'],
    ['routing_hints', { exclude_butlers: [1] }, 'routing_hints.exclude_butlers.0'],
    ['thread_target', { thread_id: 7 }, 'thread_target.thread_id'],
    ['thread_target', {}, 'thread_target.thread_id'],
  ).map(([p, value, path]) => v(p, path.endsWith('thread_id') && JSON.stringify(value) === '{}' ? 'required' : 'invalid_type', `${p} = ${short(value)}`, (e) => set(e, p, value), path)),
);

/** A huge body (to 256 KB) riding along with another violation: refused all the same, and nothing stored. */
export const hugeBody = fc.integer({ min: 64, max: 256 }).map((kb) => (e: Envelope) => {
  if (e.payload && typeof e.payload === 'object' && typeof e.payload.body === 'string') e.payload.body = `${e.payload.body} ${'x'.repeat(kb * 1024)}`;
});

/** One to three violations on distinct parts, applied to a valid envelope; `expect` lists every issue they cause. */
export function invalidEnvelope(unique: () => string): fc.Arbitrary<{ envelope: Envelope; violations: Violation[] }> {
  return fc
    .tuple(validEnvelope(unique), fc.uniqueArray(violation, { minLength: 1, maxLength: 3, selector: (x) => x.part }), fc.option(hugeBody, { freq: 10, nil: undefined }))
    .map(([e, vs, huge]) => {
      const envelope = structuredClone(e);
      // Whole-part removals or retypes first, so a nested violation never writes into a part that is gone.
      const fresh = vs.map((x) => ({ ...x, expect: [...x.expect] }));
      for (const x of fresh) x.apply.call(x, envelope);
      // Not over a body the violations emptied or retyped: that would make it valid again.
      if (!fresh.some((x) => x.part === 'payload')) huge?.(envelope);
      return { envelope, violations: fresh };
    });
}
