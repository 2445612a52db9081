import { createHash } from 'node:crypto';
import { IngestAccepted, IngestValidationError } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * The ingest contract (IngestEnvelopeV1, docs/contracts.md §2) through the
 * running switchboard: each envelope goes to `ingest` over MCP and the
 * evidence is the `message_inbox` row selected by the dedupe key this file
 * computes itself (§2.3, plain SHA-256 here, not the contracts module's
 * helper) or by request id. "Nothing written" is no row for that key.
 * Evolution (§7): an older sender (required fields only) keeps working
 * (CON-46); a newer sender's unknown key is refused by name (CON-07).
 */

type Envelope = Record<string, any>;
type Issue = { path: string; code: string; message: string };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** §2.3 written out: sha256 of `<endpoint>:<sender>:<key>`, or `<sent_at>|sha256(body)` as the third part without a key. */
function keyOf(e: Envelope): string {
  const third = e.idempotency_key !== undefined ? e.idempotency_key : `${e.payload.sent_at}|${sha256(e.payload.body)}`;
  return sha256(`${e.source.endpoint_identity}:${e.source.sender_identity}:${third}`);
}

/** A well-formed envelope of the test's own: sender and idempotency key carry the tag. */
function envelopeFor(tag: string): Envelope {
  return {
    schema_version: 'ingest.v1',
    source: { channel: 'api', provider: 'internal', endpoint_identity: 'con-endpoint', sender_identity: `con-sender-${tag}` },
    payload: { content_type: 'text/plain', body: `Log weight 80kg (${tag})`, sent_at: '2026-02-16T10:00:00Z' },
    idempotency_key: tag,
  };
}

function change(e: Envelope, edit: (e: Envelope) => void): Envelope {
  const copy = structuredClone(e);
  edit(copy);
  return copy;
}

async function ingest(sb: McpHandle, envelope: unknown) {
  return sb.callTool('ingest', { envelope }, { timeoutMs: 30_000 });
}

async function accepted(sb: McpHandle, envelope: unknown): Promise<IngestAccepted> {
  const res = await ingest(sb, envelope);
  expect(res.isError, `refused: ${JSON.stringify(res.data)}`).toBeFalsy();
  return IngestAccepted.parse(res.data);
}

async function refused(sb: McpHandle, envelope: unknown): Promise<Issue[]> {
  const res = await ingest(sb, envelope);
  expect(res.isError, `accepted: ${JSON.stringify(res.data)}`).toBe(true);
  return IngestValidationError.parse(res.data).details.issues;
}

const codes = (issues: Issue[]) => issues.map((i) => `${i.path}:${i.code}`);

type Sql = (butler: string) => import('pg').Pool;
const inboxByKey = async (sql: Sql, dedupeKey: string) =>
  (await sql('switchboard').query('select * from message_inbox where dedupe_key = $1', [dedupeKey])).rows;
const inboxBySender = async (sql: Sql, sender: string) =>
  (await sql('switchboard').query('select request_id, dedupe_key from message_inbox where sender_identity = $1', [sender])).rows;

test('CON-01 a well-formed envelope keyed by the tag is accepted, not a duplicate, and its inbox row holds every field as sent', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const e = change(envelopeFor(tag), (x) => {
    x.source = { channel: 'telegram', provider: 'telegram', endpoint_identity: 'con-bot-01', sender_identity: `con-sender-${tag}` };
    x.payload.sent_at = '2026-02-16T10:00:00.123456+01:00';
    x.thread_target = { thread_id: `th-${tag}`, message_id: 'm-1' };
    x.notification_preferences = { channel: 'telegram', mode: 'reply', recipient: 'owner' };
    x.routing_hints = { preferred_butlers: ['health'], exclude_butlers: ['general'] };
    x.metadata = { tag, nested: { list: [1, 'two', null], flag: true } };
  });
  const a = await accepted(sb, e);
  expect(a).toEqual({ request_id: expect.any(String), status: 'accepted', duplicate: false });
  const rows = await inboxByKey(sql, keyOf(e));
  expect(rows, 'exactly one inbox row for the dedupe key').toHaveLength(1);
  const [row] = rows;
  expect(row).toMatchObject({
    request_id: a.request_id,
    dedupe_key: keyOf(e),
    schema_version: 'ingest.v1',
    source_channel: 'telegram',
    source_provider: 'telegram',
    endpoint_identity: 'con-bot-01',
    sender_identity: `con-sender-${tag}`,
    content_type: 'text/plain',
    body: e.payload.body,
    idempotency_key: tag,
    thread_target: e.thread_target,
    notification_preferences: e.notification_preferences,
    routing_hints: e.routing_hints,
    metadata: e.metadata,
    status: 'accepted',
  });
  // TIMESTAMPTZ keeps the instant (to the microsecond), not the zone it was written in.
  const { rows: [at] } = await sql('switchboard').query(`select sent_at = $2::timestamptz as same from message_inbox where request_id = $1`, [a.request_id, e.payload.sent_at]);
  expect(at.same, `sent_at stored as ${row.sent_at?.toISOString?.()} for ${e.payload.sent_at}`).toBe(true);
  logs.expectNoUnexpectedErrors();
});

test('CON-02 schema_version "ingest.v2" is a validation_error unsupported_schema_version and writes no inbox row for its dedupe key', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const e = change(envelopeFor(tag), (x) => (x.schema_version = 'ingest.v2'));
  const res = await ingest(sb, e);
  expect(res.isError).toBe(true);
  expect(res.data).toMatchObject({ error: 'validation_error' });
  const issues = IngestValidationError.parse(res.data).details.issues;
  expect(codes(issues)).toEqual(['schema_version:unsupported_schema_version']);
  expect(await inboxByKey(sql, keyOf(e))).toEqual([]);
  logs.expectNoUnexpectedErrors();
});

test('CON-03 channel telegram with provider gmail is invalid_source_provider and nothing is written', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const e = change(envelopeFor(tag), (x) => Object.assign(x.source, { channel: 'telegram', provider: 'gmail' }));
  const issues = await refused(sb, e);
  expect(codes(issues)).toEqual(['source.provider:invalid_source_provider']);
  expect(issues[0].message).toContain('gmail');
  expect(await inboxByKey(sql, keyOf(e))).toEqual([]);
  expect(await inboxBySender(sql, e.source.sender_identity)).toEqual([]);
  logs.expectNoUnexpectedErrors();
});

test('CON-04 a naive sent_at "2026-02-16T10:00:00" is rfc3339_string_required and nothing is written', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const e = change(envelopeFor(tag), (x) => (x.payload.sent_at = '2026-02-16T10:00:00'));
  const issues = await refused(sb, e);
  expect(codes(issues)).toEqual(['payload.sent_at:rfc3339_string_required']);
  expect(await inboxByKey(sql, keyOf(e))).toEqual([]);
  expect(await inboxBySender(sql, e.source.sender_identity)).toEqual([]);
  // The same envelope without a key would have had a different dedupe key: nothing under that one either.
  expect(await inboxByKey(sql, keyOf(change(e, (x) => delete x.idempotency_key)))).toEqual([]);
  logs.expectNoUnexpectedErrors();
});

test('CON-05 the same envelope twice is accepted twice, the second a duplicate with the first request id, and stored once', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const e = envelopeFor(tag);
  const first = await accepted(sb, e);
  const second = await accepted(sb, e);
  expect(first).toEqual({ request_id: expect.any(String), status: 'accepted', duplicate: false });
  expect(second).toEqual({ request_id: first.request_id, status: 'accepted', duplicate: true });
  expect((await inboxByKey(sql, keyOf(e))).map((r) => r.request_id)).toEqual([first.request_id]);
  logs.expectNoUnexpectedErrors();
});

test('CON-06 an envelope without source is refused with code required at path source', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const e = change(envelopeFor(tag), (x) => delete x.source);
  const issues = await refused(sb, e);
  expect(codes(issues)).toEqual(['source:required']);
  expect(await inboxByKey(sql, keyOf(envelopeFor(tag))), 'nothing stored under the key it would have had').toEqual([]);
  const { rows } = await sql('switchboard').query('select 1 from message_inbox where idempotency_key = $1', [tag]);
  expect(rows).toEqual([]);
  logs.expectNoUnexpectedErrors();
});

test('CON-07 a newer sender\'s unknown key, top level or inside source, is refused with unrecognized_keys naming it; metadata takes arbitrary keys', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const top = change(envelopeFor(tag), (x) => (x.unknown_field = 'value'));
  const topIssues = await refused(sb, top);
  expect(topIssues).toEqual([{ path: 'unknown_field', code: 'unrecognized_keys', message: expect.stringContaining('"unknown_field"') }]);

  const nested = change(envelopeFor(tag), (x) => (x.source.region = 'eu-west'));
  const nestedIssues = await refused(sb, nested);
  expect(nestedIssues).toEqual([{ path: 'source.region', code: 'unrecognized_keys', message: expect.stringContaining('"region"') }]);
  expect(await inboxByKey(sql, keyOf(top)), 'neither refusal wrote the row').toEqual([]);

  const open = change(envelopeFor(tag), (x) => (x.metadata = { unknown_field: 'value', region: 'eu-west', deep: { any: [1, { thing: null }] } }));
  const a = await accepted(sb, open);
  expect(a.duplicate).toBe(false);
  const rows = await inboxByKey(sql, keyOf(open));
  expect(rows.map((r) => [r.request_id, r.metadata])).toEqual([[a.request_id, open.metadata]]);
  logs.expectNoUnexpectedErrors();
});

test('CON-08 an empty payload.content_type is too_small at payload.content_type and nothing is written', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const e = change(envelopeFor(tag), (x) => (x.payload.content_type = ''));
  const issues = await refused(sb, e);
  expect(codes(issues)).toEqual(['payload.content_type:too_small']);
  expect(await inboxByKey(sql, keyOf(e))).toEqual([]);
  logs.expectNoUnexpectedErrors();
});

test('CON-09 same endpoint, sender and key with another body is a duplicate; another sender is a new request; stored dedupe_key is the SHA-256 computed here', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const e = envelopeFor(tag);
  const first = await accepted(sb, e);
  const otherBody = change(e, (x) => (x.payload.body = `Log weight 95kg, a different body (${tag})`));
  const again = await accepted(sb, otherBody);
  expect(again).toEqual({ request_id: first.request_id, status: 'accepted', duplicate: true });
  const otherSender = change(e, (x) => (x.source.sender_identity = `con-other-${tag}`));
  const fresh = await accepted(sb, otherSender);
  expect(fresh.duplicate).toBe(false);
  expect(fresh.request_id).not.toBe(first.request_id);

  const expectedFirst = sha256(`con-endpoint:con-sender-${tag}:${tag}`);
  const expectedOther = sha256(`con-endpoint:con-other-${tag}:${tag}`);
  const { rows } = await sql('switchboard').query('select request_id, dedupe_key, body from message_inbox where request_id = any($1::uuid[]) order by received_at', [[first.request_id, fresh.request_id]]);
  expect(rows).toEqual([
    { request_id: first.request_id, dedupe_key: expectedFirst, body: e.payload.body }, // the duplicate's body was ignored
    { request_id: fresh.request_id, dedupe_key: expectedOther, body: e.payload.body },
  ]);
  logs.expectNoUnexpectedErrors();
});

test('CON-10 without an idempotency key an identical envelope twice is a duplicate, and a different sent_at is a new request', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const e = change(envelopeFor(tag), (x) => delete x.idempotency_key);
  const first = await accepted(sb, e);
  const second = await accepted(sb, e);
  expect(first.duplicate).toBe(false);
  expect(second).toEqual({ request_id: first.request_id, status: 'accepted', duplicate: true });
  const later = change(e, (x) => (x.payload.sent_at = '2026-02-16T10:00:01Z'));
  const third = await accepted(sb, later);
  expect(third.duplicate).toBe(false);
  expect(third.request_id).not.toBe(first.request_id);

  const bodyHash = sha256(e.payload.body);
  const expected = (sentAt: string) => sha256(`con-endpoint:con-sender-${tag}:${sentAt}|${bodyHash}`);
  expect((await inboxByKey(sql, expected('2026-02-16T10:00:00Z'))).map((r) => [r.request_id, r.idempotency_key])).toEqual([[first.request_id, null]]);
  expect((await inboxByKey(sql, expected('2026-02-16T10:00:01Z'))).map((r) => r.request_id)).toEqual([third.request_id]);
  expect(await inboxBySender(sql, e.source.sender_identity)).toHaveLength(2);
  logs.expectNoUnexpectedErrors();
});

test('CON-45 schema_version "ingest.v0" is a clear unsupported_schema_version naming ingest.v1', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const e = change(envelopeFor(tag), (x) => (x.schema_version = 'ingest.v0'));
  const issues = await refused(sb, e);
  expect(issues).toEqual([{ path: 'schema_version', code: 'unsupported_schema_version', message: expect.stringContaining('ingest.v1') }]);
  expect(issues[0].message, 'the message names what was received too').toContain('ingest.v0');
  expect(await inboxByKey(sql, keyOf(e))).toEqual([]);
  logs.expectNoUnexpectedErrors();
});

test('CON-46 an older sender\'s envelope with only the required fields is accepted and stored with the optional columns empty', async ({ mcp, sql, logs, tag }) => {
  const sb = await mcp('switchboard');
  const e: Envelope = {
    schema_version: 'ingest.v1',
    source: { channel: 'email', provider: 'imap', endpoint_identity: 'con-mailbox', sender_identity: `con-old-${tag}` },
    payload: { content_type: 'text/plain', body: `Remember to call the dentist (${tag})`, sent_at: '2026-02-16T10:00:00-05:30' },
  };
  const a = await accepted(sb, e);
  expect(a).toEqual({ request_id: expect.any(String), status: 'accepted', duplicate: false });
  const rows = await inboxByKey(sql, keyOf(e));
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    request_id: a.request_id,
    source_channel: 'email',
    source_provider: 'imap',
    body: e.payload.body,
    idempotency_key: null,
    thread_target: null,
    notification_preferences: null,
    routing_hints: null,
    metadata: null,
  });
  logs.expectNoUnexpectedErrors();
});
