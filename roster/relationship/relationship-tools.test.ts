import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { ToolDef } from '../../ecosystem/core/tool.ts';
import { createButlerDb } from '../../ecosystem/testing/butler-db.ts';
import { expect, test } from '../../ecosystem/testing/roster-fixtures.ts';
import { callTool, fakeContext, loadButlerTools } from '../../ecosystem/testing/roster-tools.ts';

let db: Pool;
let tools: ToolDef[];
const sessionId = randomUUID();
const ctx = () => fakeContext('relationship', db, sessionId);

test.beforeAll(async ({ cluster }) => {
  db = await createButlerDb(cluster, 'relationship');
  tools = await loadButlerTools('relationship');
});
test.afterAll(async () => {
  await db?.end();
});

test('contact_add stores the contact with a date-only birthday', async () => {
  const row = await callTool(
    tools,
    'contact_add',
    { name: 'Sarah Johnson', email: 'sarah@example.test', birthday: '1990-03-14' },
    ctx(),
  );
  expect(row).toMatchObject({ name: 'Sarah Johnson', email: 'sarah@example.test', phone: null, birthday: '1990-03-14', session_id: sessionId });
  const stored = await db.query(`select name, birthday::text as birthday, session_id from contacts where id = $1`, [row.id]);
  expect(stored.rows).toEqual([{ name: 'Sarah Johnson', birthday: '1990-03-14', session_id: sessionId }]);
});

test('contact_add rejects an empty name and a malformed birthday at the schema', async () => {
  await expect(callTool(tools, 'contact_add', { name: '  ' }, ctx())).rejects.toThrow();
  await expect(callTool(tools, 'contact_add', { name: 'X', birthday: '14/03/1990' }, ctx())).rejects.toThrow();
});

test('interaction_log by contact_name links the contact and defaults kind/occurred_at', async () => {
  const contact = await callTool(tools, 'contact_add', { name: 'Tom Baker unit-1' }, ctx());
  const row = await callTool(tools, 'interaction_log', { contact_name: 'tom baker UNIT-1', summary: 'lunch' }, ctx());
  expect(row).toMatchObject({ contact_id: contact.id, contact_name: 'Tom Baker unit-1', kind: 'other', summary: 'lunch', session_id: sessionId });
  expect(typeof row.occurred_at).toBe('string');
  const stored = await db.query('select contact_id, kind from interactions where id = $1', [row.id]);
  expect(stored.rows[0]).toEqual({ contact_id: contact.id, kind: 'other' });
});

test('interaction_log by contact_id with a kind; unknown contacts are not_found', async () => {
  const contact = await callTool(tools, 'contact_add', { name: 'Ann Lee unit-2' }, ctx());
  const row = await callTool(tools, 'interaction_log', { contact_id: contact.id, kind: 'call', occurred_at: '2026-01-02T03:04:05Z' }, ctx());
  expect(row).toMatchObject({ kind: 'call', occurred_at: '2026-01-02T03:04:05.000Z' });
  await expect(callTool(tools, 'interaction_log', { contact_name: 'Nobody unit-2', kind: 'call' }, ctx())).rejects.toMatchObject({ code: 'not_found' });
  await expect(callTool(tools, 'interaction_log', { contact_id: randomUUID(), kind: 'call' }, ctx())).rejects.toMatchObject({ code: 'not_found' });
  await expect(callTool(tools, 'interaction_log', { contact_name: 'Ann Lee unit-2', kind: 'dinner' }, ctx())).rejects.toThrow();
});

test('reminder_set stores a pending reminder, linked when the name resolves', async () => {
  const contact = await callTool(tools, 'contact_add', { name: 'Dr. Smith unit-3' }, ctx());
  const linked = await callTool(
    tools,
    'reminder_set',
    { message: 'Send Dr. Smith a thank-you card', due_at: '2026-05-01T09:00:00Z', contact_name: 'Dr. Smith unit-3' },
    ctx(),
  );
  expect(linked).toMatchObject({ contact_id: contact.id, status: 'pending', due_at: '2026-05-01T09:00:00.000Z', session_id: sessionId });
  expect(linked.contact_warning).toBeUndefined();
  const unlinked = await callTool(
    tools,
    'reminder_set',
    { message: 'Call Mom', due_at: '2026-05-02T09:00:00Z', contact_name: 'Mom unit-3' },
    ctx(),
  );
  expect(unlinked).toMatchObject({ contact_id: null, status: 'pending' });
  expect(unlinked.contact_warning).toContain('not linked');
  const stored = await db.query('select message, status, contact_id from reminders where id = any($1) order by due_at', [[linked.id, unlinked.id]]);
  expect(stored.rows).toEqual([
    { message: 'Send Dr. Smith a thank-you card', status: 'pending', contact_id: contact.id },
    { message: 'Call Mom', status: 'pending', contact_id: null },
  ]);
});

test('reminder_set requires a date-time due_at', async () => {
  await expect(callTool(tools, 'reminder_set', { message: 'x', due_at: 'tomorrow' }, ctx())).rejects.toThrow();
});

test('contact_delete by name removes the contact and cascades its interactions', async () => {
  const contact = await callTool(tools, 'contact_add', { name: 'Test Contact unit-4' }, ctx());
  await callTool(tools, 'interaction_log', { contact_id: contact.id, kind: 'gift' }, ctx());
  const res = await callTool(tools, 'contact_delete', { name: 'test contact unit-4' }, ctx());
  expect(res).toMatchObject({ deleted: true, contact: { id: contact.id, name: 'Test Contact unit-4' } });
  const left = await db.query('select (select count(*)::int from contacts where id = $1) as c, (select count(*)::int from interactions where contact_id = $1) as i', [contact.id]);
  expect(left.rows[0]).toEqual({ c: 0, i: 0 });
});

test('contact_delete errors: ambiguous_name keeps both, not_found, invalid_arguments', async () => {
  await callTool(tools, 'contact_add', { name: 'Alex Kim unit-5' }, ctx());
  await callTool(tools, 'contact_add', { name: 'alex kim unit-5' }, ctx());
  const err = await callTool(tools, 'contact_delete', { name: 'Alex Kim unit-5' }, ctx()).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'ambiguous_name' });
  expect((err as { details: { candidates: unknown[] } }).details.candidates).toHaveLength(2);
  const still = await db.query(`select count(*)::int as n from contacts where lower(name) = 'alex kim unit-5'`);
  expect(still.rows[0].n).toBe(2);
  // No partial matching for deletes: a fragment is not_found, never a guess.
  await expect(callTool(tools, 'contact_delete', { name: 'Alex' }, ctx())).rejects.toMatchObject({ code: 'not_found' });
  await expect(callTool(tools, 'contact_delete', { contact_id: randomUUID() }, ctx())).rejects.toMatchObject({ code: 'not_found' });
  await expect(callTool(tools, 'contact_delete', {}, ctx())).rejects.toMatchObject({ code: 'invalid_arguments' });
});

test('contact_delete by contact_id', async () => {
  const contact = await callTool(tools, 'contact_add', { name: 'Zoe unit-6' }, ctx());
  const res = await callTool(tools, 'contact_delete', { contact_id: contact.id }, ctx());
  expect(res.deleted).toBe(true);
  const left = await db.query('select count(*)::int as n from contacts where id = $1', [contact.id]);
  expect(left.rows[0].n).toBe(0);
});
