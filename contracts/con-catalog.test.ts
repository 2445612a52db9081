import { expect, test } from '@playwright/test';
import { buildFanoutPlan, parseClassification, validateEnvelope, type RegistryEligibility } from './index.ts';

/**
 * The unit rows of the contracts catalog (docs/contracts.md §8): CON-11, the
 * channel × provider table, and CON-47, every example payload of the contract
 * text (envelopes of §2 and the CON rows, classification replies of §3 and
 * CON-14…20, plans of §4 and CON-22…30), copied here as data with the outcome
 * the text states for it.
 */

const CHANNELS = ['telegram', 'slack', 'email', 'api', 'mcp'];
const PROVIDERS = ['telegram', 'slack', 'gmail', 'imap', 'internal'];
// §2.1 written out: telegram→telegram; slack→slack; email→gmail or imap; api→internal; mcp→internal.
const ALLOWED = new Set(['telegram/telegram', 'slack/slack', 'email/gmail', 'email/imap', 'api/internal', 'mcp/internal']);

const base = () => ({
  schema_version: 'ingest.v1',
  source: { channel: 'api', provider: 'internal', endpoint_identity: 'bot-1', sender_identity: 'owner' } as Record<string, unknown>,
  payload: { content_type: 'text/plain', body: 'Log weight 80kg', sent_at: '2026-02-16T10:00:00Z' } as Record<string, unknown>,
  idempotency_key: 't-00000000-r0',
} as Record<string, any>);

const outcome = (input: unknown) => {
  const r = validateEnvelope(input);
  return r.ok ? 'accepted' : r.issues.map((i) => `${i.path}:${i.code}`).sort().join(',');
};

test('CON-11 every channel × provider pair: the six allowed pairs accepted, all others invalid_source_provider', () => {
  const seen: string[] = [];
  for (const channel of CHANNELS) {
    for (const provider of PROVIDERS) {
      const e = base();
      Object.assign(e.source, { channel, provider });
      const got = outcome(e);
      expect(got, `${channel}/${provider}`).toBe(ALLOWED.has(`${channel}/${provider}`) ? 'accepted' : 'source.provider:invalid_source_provider');
      if (got === 'accepted') seen.push(`${channel}/${provider}`);
    }
  }
  expect(seen.sort()).toEqual([...ALLOWED].sort());
  // A provider outside the list is refused for every channel with the same code.
  for (const channel of CHANNELS) {
    const e = base();
    Object.assign(e.source, { channel, provider: 'carrier-pigeon' });
    expect(outcome(e), channel).toBe('source.provider:invalid_source_provider');
  }
});

test('CON-47 every example envelope of the contract is accepted or refused exactly as stated', () => {
  const examples: [string, (e: Record<string, any>) => void, string][] = [
    ['CON-01 well-formed, key = tag', () => {}, 'accepted'],
    ['CON-02 schema_version ingest.v2', (e) => (e.schema_version = 'ingest.v2'), 'schema_version:unsupported_schema_version'],
    ['CON-03 telegram with gmail', (e) => Object.assign(e.source, { channel: 'telegram', provider: 'gmail' }), 'source.provider:invalid_source_provider'],
    ['CON-04 sent_at 2026-02-16T10:00:00', (e) => (e.payload.sent_at = '2026-02-16T10:00:00'), 'payload.sent_at:rfc3339_string_required'],
    ['§2.1 sent_at with Z', (e) => (e.payload.sent_at = '2026-02-16T10:00:00Z'), 'accepted'],
    ['§2.1 sent_at with ±HH:MM and a fraction', (e) => (e.payload.sent_at = '2026-02-16T10:00:00.123456+01:00'), 'accepted'],
    ['§2.1 sent_at not a string', (e) => (e.payload.sent_at = 1771236000), 'payload.sent_at:rfc3339_string_required'],
    ['CON-06 source omitted', (e) => delete e.source, 'source:required'],
    ['CON-07 unknown_field: "value"', (e) => (e.unknown_field = 'value'), 'unknown_field:unrecognized_keys'],
    ['CON-07 extra key inside source', (e) => (e.source.extra = 'x'), 'source.extra:unrecognized_keys'],
    ['CON-07 metadata with arbitrary keys', (e) => (e.metadata = { unknown_field: 'value', n: 1, deep: { a: [1] } }), 'accepted'],
    ['CON-08 content_type ""', (e) => (e.payload.content_type = ''), 'payload.content_type:too_small'],
    ['§2.1 body ""', (e) => (e.payload.body = ''), 'payload.body:too_small'],
    ['§2.1 endpoint_identity blank after trimming', (e) => (e.source.endpoint_identity = '   '), 'source.endpoint_identity:too_small'],
    ['§2.1 idempotency_key 256 chars', (e) => (e.idempotency_key = 'k'.repeat(256)), 'accepted'],
    ['§2.1 idempotency_key 257 chars', (e) => (e.idempotency_key = 'k'.repeat(257)), 'idempotency_key:too_big'],
    ['§2.1 schema_version trimmed', (e) => (e.schema_version = ' ingest.v1 '), 'accepted'],
    ['§2.1 unknown channel', (e) => (e.source.channel = 'fax'), 'source.channel:invalid_enum_value'],
    ['§2.1 thread_target, notification_preferences, routing_hints', (e) => Object.assign(e, { thread_target: { thread_id: 't', message_id: 'm' }, notification_preferences: { channel: 'email', mode: 'silent', recipient: 'me' }, routing_hints: { preferred_butlers: ['health'], exclude_butlers: [] } }), 'accepted'],
    ['CON-45 schema_version ingest.v0', (e) => (e.schema_version = 'ingest.v0'), 'schema_version:unsupported_schema_version'],
    ['CON-46 only required fields', (e) => delete e.idempotency_key, 'accepted'],
  ];
  for (const [name, edit, want] of examples) {
    const e = base();
    edit(e);
    expect(outcome(e), name).toBe(want);
  }
  // CON-45: the refusal names what it expects and what it got.
  const v0 = validateEnvelope({ ...base(), schema_version: 'ingest.v0' });
  expect(v0.ok ? '' : v0.issues[0].message).toMatch(/ingest\.v0[\s\S]*ingest\.v1/);
});

const registry: RegistryEligibility[] = [
  { name: 'health', eligibility_state: 'active', routable: true },
  { name: 'relationship', eligibility_state: 'quarantined', routable: true },
  { name: 'general', eligibility_state: 'active', routable: true },
];
const TEXT = 'Log weight 80kg';
const health = { butler: 'health', prompt: 'Log weight 80kg', segment: { rationale: 'weight' } };

test('CON-47 every example classification reply of the contract is kept, skipped or falls back exactly as stated', () => {
  const fallback = (reason: string) => ({ entries: [{ butler: 'general', prompt: TEXT, segment: { rationale: `fallback: ${reason}` } }], fallback: true, fallback_reason: reason });
  const cases: [string, string, Record<string, unknown>][] = [
    ['§3 a JSON array', JSON.stringify([health]), { entries: [health], fallback: false, warnings: [] }],
    ['§3 code fences stripped', '```json\n' + JSON.stringify([health]) + '\n```', { entries: [health], fallback: false }],
    ['§3 outermost [...] substring', `Here you go: ${JSON.stringify([health])} done`, { entries: [health], fallback: false }],
    ['CON-14 "Sure! I think this is about health."', 'Sure! I think this is about health.', { ...fallback('parse_error') }],
    ['CON-15 []', '[]', { ...fallback('empty') }],
    ['CON-16 nonexistent plus health', JSON.stringify([{ butler: 'nonexistent', prompt: 'x', segment: { rationale: 'r' } }, health]), { entries: [health], fallback: false, warnings: [expect.objectContaining({ code: 'unknown_butler' })] }],
    ['CON-17 confidence: 0.9 dropped', JSON.stringify([{ ...health, confidence: 0.9 }]), { entries: [health], fallback: false, warnings: [] }],
    ['CON-18 entry without segment', JSON.stringify([{ butler: 'health', prompt: 'Log weight 80kg' }]), { ...fallback('no_valid_entries'), warnings: [expect.objectContaining({ code: 'entry_missing_keys' })] }],
    ['CON-18 segment: {}', JSON.stringify([{ ...health, segment: {} }]), { entries: [{ ...health, segment: {} }], fallback: false, warnings: [expect.objectContaining({ code: 'segment_missing_metadata' })] }],
    ['CON-19 only a quarantined butler', JSON.stringify([{ butler: 'relationship', prompt: 'Call mum', segment: { rationale: 'r' } }]), { ...fallback('no_valid_entries'), warnings: [expect.objectContaining({ code: 'ineligible_butler' })] }],
    ['CON-20 prompt ""', JSON.stringify([{ ...health, prompt: '' }]), { ...fallback('no_valid_entries'), warnings: [expect.objectContaining({ code: 'empty_prompt' })] }],
  ];
  for (const [name, raw, want] of cases) expect(parseClassification(raw, registry, TEXT), name).toMatchObject(want);
});

test('CON-47 every example plan of the contract is built or refused exactly as stated', () => {
  const entry = (butler: string) => ({ butler, prompt: `a prompt for ${butler}`, segment: { rationale: 'r' } });
  const two = [entry('health'), entry('relationship')];
  const three = [...two, entry('general')];
  const code = (r: ReturnType<typeof buildFanoutPlan>) => (r.ok ? 'ok' : r.error);

  // CON-22: one entry with the §4 defaults.
  const one = buildFanoutPlan([entry('health')]);
  expect(one.ok && one.plan).toEqual({
    mode: 'parallel', join_policy: 'wait_for_all', abort_policy: 'continue',
    subrequests: [{ subrequest_id: 'sr-1', segment_id: 'seg-1', butler: 'health', prompt: 'a prompt for health', depends_on: [], run_if: 'success', required: true, arbitration_group: null, arbitration_priority: 0 }],
  });
  // CON-23: three subrequests in entry order.
  const ordered = buildFanoutPlan(three);
  expect(ordered.ok && ordered.plan.subrequests.map((s) => [s.subrequest_id, s.segment_id, s.butler])).toEqual([['sr-1', 'seg-1', 'health'], ['sr-2', 'seg-2', 'relationship'], ['sr-3', 'seg-3', 'general']]);
  // CON-29: every mode defaults to wait_for_all + continue.
  for (const mode of ['parallel', 'ordered', 'conditional']) {
    const r = buildFanoutPlan(two, { mode });
    expect(r.ok && [r.plan.mode, r.plan.join_policy, r.plan.abort_policy], mode).toEqual([mode, 'wait_for_all', 'continue']);
  }
  // CON-24: the message starts with the stated text (the ecosystem adds what it got and expected).
  expect(buildFanoutPlan(two, { mode: 'invalid' })).toEqual({ ok: false, error: 'invalid_fanout_mode', message: expect.stringContaining('Invalid fanout mode') });
  const refusals: [string, ReturnType<typeof buildFanoutPlan>, string][] = [
    ['CON-25 sr-1 ↔ sr-2', buildFanoutPlan(two, { mode: 'conditional' }, { 0: { depends_on: ['sr-2'] }, 1: { depends_on: ['sr-1'] } }), 'dependency_cycle'],
    ['CON-25 self-dependency', buildFanoutPlan(two, { mode: 'conditional' }, { 0: { depends_on: ['sr-1'] } }), 'dependency_cycle'],
    ['CON-26 depends_on nonexistent', buildFanoutPlan(two, { mode: 'conditional' }, { 1: { depends_on: ['nonexistent'] } }), 'unknown_dependency'],
    ['CON-27 bad join', buildFanoutPlan(two, { join_policy: 'all_of_them' }), 'invalid_join_policy'],
    ['CON-27 bad abort', buildFanoutPlan(two, { abort_policy: 'never' }), 'invalid_abort_policy'],
    ['CON-27 bad run_if', buildFanoutPlan(two, { mode: 'conditional' }, { 1: { depends_on: ['sr-1'], run_if: 'sometimes' } }), 'invalid_run_if'],
    ['CON-28 dependencies in parallel', buildFanoutPlan(two, { mode: 'parallel' }, { 1: { depends_on: ['sr-1'] } }), 'dependencies_require_ordered_or_conditional'],
    ['CON-30 entries: []', buildFanoutPlan([]), 'empty_plan'],
    ['§4 duplicate ids', buildFanoutPlan(two, {}, [{ subrequest_id: 'x' }, { subrequest_id: 'x' }]), 'duplicate_subrequest_id'],
    ['§4 ordered pointing forward', buildFanoutPlan(two, { mode: 'ordered' }, { 0: { depends_on: ['sr-2'] } }), 'ordering_violation'],
    ['§4 ordered pointing back', buildFanoutPlan(two, { mode: 'ordered' }, { 1: { depends_on: ['sr-1'] } }), 'ok'],
  ];
  for (const [name, r, want] of refusals) expect(code(r), name).toBe(want);
});
