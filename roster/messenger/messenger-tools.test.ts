import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { ToolDef } from '../../ecosystem/core/tool.ts';
import { createButlerDb } from '../../ecosystem/testing/butler-db.ts';
import { expect, test } from '../../ecosystem/testing/roster-fixtures.ts';
import { callTool, fakeContext, insertSession, loadButlerTools } from '../../ecosystem/testing/roster-tools.ts';

let db: Pool;
let tools: ToolDef[];

test.beforeAll(async ({ cluster }) => {
  db = await createButlerDb(cluster, 'messenger');
  tools = await loadButlerTools('messenger');
});
test.afterAll(async () => {
  await db?.end();
});

test('notification_log queues a row for the owner with the session request id', async () => {
  const requestId = randomUUID();
  const sessionId = await insertSession(db, 'messenger', requestId);
  const row = await callTool(tools, 'notification_log', { channel: 'telegram', body: 'The report is ready' }, fakeContext('messenger', db, sessionId));
  expect(row).toMatchObject({
    channel: 'telegram',
    body: 'The report is ready',
    recipient: null,
    status: 'queued',
    request_id: requestId,
    session_id: sessionId,
    sent_at: null,
  });
  const stored = await db.query('select status, request_id, session_id from notification_log where id = $1', [row.id]);
  expect(stored.rows).toEqual([{ status: 'queued', request_id: requestId, session_id: sessionId }]);
});

test('notification_log: explicit request_id wins; blank recipient means the owner', async () => {
  const sessionId = await insertSession(db, 'messenger', randomUUID());
  const explicit = randomUUID();
  const row = await callTool(
    tools,
    'notification_log',
    { channel: 'email', body: 'hi', subject: 'Hello', recipient: '   ', request_id: explicit },
    fakeContext('messenger', db, sessionId),
  );
  expect(row).toMatchObject({ request_id: explicit, recipient: null, subject: 'Hello', channel: 'email' });
});

test('notification_log from an operator (no session) has null request and session ids', async () => {
  const row = await callTool(
    tools,
    'notification_log',
    { channel: 'telegram', body: 'probe', recipient: 'alice@example.test' },
    fakeContext('messenger', db, null),
  );
  expect(row).toMatchObject({ request_id: null, session_id: null, recipient: 'alice@example.test', status: 'queued' });
});

test('notification_log marks recipient sensitive and rejects unknown channels', async () => {
  const tool = tools.find((t) => t.name === 'notification_log');
  expect(tool?.sensitive).toEqual(['recipient']);
  await expect(callTool(tools, 'notification_log', { channel: 'sms', body: 'x' }, fakeContext('messenger', db, null))).rejects.toThrow();
});
