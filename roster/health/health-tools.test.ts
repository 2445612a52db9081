import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { ToolDef } from '../../ecosystem/core/tool.ts';
import { createButlerDb } from '../../ecosystem/testing/butler-db.ts';
import { expect, test } from '../../ecosystem/testing/roster-fixtures.ts';
import { callTool, fakeContext, loadButlerTools } from '../../ecosystem/testing/roster-tools.ts';

let db: Pool;
let tools: ToolDef[];
const sessionId = randomUUID();
const ctx = () => fakeContext('health', db, sessionId);

test.beforeAll(async ({ cluster }) => {
  db = await createButlerDb(cluster, 'health');
  tools = await loadButlerTools('health');
});
test.afterAll(async () => {
  await db?.end();
});

test('measurement_log stores the row, stamps the session and returns numbers and ISO times', async () => {
  const row = await callTool(tools, 'measurement_log', { type: 'weight', value: 80.5, unit: 'kg' }, ctx());
  expect(row).toMatchObject({ type: 'weight', value: 80.5, unit: 'kg', notes: null, session_id: sessionId });
  expect(typeof row.id).toBe('string');
  expect(new Date(row.measured_at as string).toISOString()).toBe(row.measured_at);
  const stored = await db.query('select type, value::float8 as value, unit, session_id from measurements where id = $1', [row.id]);
  expect(stored.rows).toEqual([{ type: 'weight', value: 80.5, unit: 'kg', session_id: sessionId }]);
});

test('measurement_log keeps an explicit measured_at and a null session for operator calls', async () => {
  const row = await callTool(
    tools,
    'measurement_log',
    { type: 'blood_pressure', value: 120, unit: 'mmHg', notes: '120/80', measured_at: '2026-02-16T10:00:00Z' },
    fakeContext('health', db, null),
  );
  expect(row).toMatchObject({ measured_at: '2026-02-16T10:00:00.000Z', notes: '120/80', session_id: null });
});

test('measurement_log rejects a non-numeric value at the schema', async () => {
  await expect(callTool(tools, 'measurement_log', { type: 'weight', value: '80kg' }, ctx())).rejects.toThrow(/number/i);
});

test('medication_add inserts an active medication started now', async () => {
  const before = Date.now();
  const row = await callTool(
    tools,
    'medication_add',
    { name: 'Metformin', dosage: '500mg', frequency: 'twice daily' },
    ctx(),
  );
  expect(row).toMatchObject({ name: 'Metformin', dosage: '500mg', frequency: 'twice daily', status: 'active', stopped_at: null, session_id: sessionId });
  expect(Date.parse(row.started_at as string)).toBeGreaterThanOrEqual(before - 5_000);
  const stored = await db.query('select status from medications where id = $1', [row.id]);
  expect(stored.rows[0].status).toBe('active');
});

test('medication_stop by name (case-insensitive) marks it stopped with the reason', async () => {
  const added = await callTool(tools, 'medication_add', { name: 'Lisinopril unit-a' }, ctx());
  const stopped = await callTool(tools, 'medication_stop', { name: 'lisinopril UNIT-A', reason: 'side effects' }, ctx());
  expect(stopped).toMatchObject({ id: added.id, status: 'stopped', stop_reason: 'side effects' });
  expect(typeof stopped.stopped_at).toBe('string');
  const stored = await db.query('select status, stop_reason, stopped_at from medications where id = $1', [added.id]);
  expect(stored.rows[0]).toMatchObject({ status: 'stopped', stop_reason: 'side effects' });
  expect(stored.rows[0].stopped_at).toBeInstanceOf(Date);
});

test('medication_stop by id, then again: already_stopped', async () => {
  const added = await callTool(tools, 'medication_add', { name: 'Ibuprofen unit-b' }, ctx());
  const stopped = await callTool(tools, 'medication_stop', { medication_id: added.id }, ctx());
  expect(stopped.status).toBe('stopped');
  await expect(callTool(tools, 'medication_stop', { medication_id: added.id }, ctx())).rejects.toMatchObject({
    code: 'already_stopped',
  });
});

test('medication_stop errors: not_found, ambiguous_name, invalid_arguments', async () => {
  await expect(callTool(tools, 'medication_stop', { name: 'No Such Drug unit-c' }, ctx())).rejects.toMatchObject({ code: 'not_found' });
  await expect(callTool(tools, 'medication_stop', { medication_id: randomUUID() }, ctx())).rejects.toMatchObject({ code: 'not_found' });
  await callTool(tools, 'medication_add', { name: 'Vitamin D unit-d' }, ctx());
  await callTool(tools, 'medication_add', { name: 'vitamin d unit-d' }, ctx());
  const err = await callTool(tools, 'medication_stop', { name: 'Vitamin D unit-d' }, ctx()).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'ambiguous_name' });
  expect((err as { details: { candidates: unknown[] } }).details.candidates).toHaveLength(2);
  await expect(callTool(tools, 'medication_stop', {}, ctx())).rejects.toMatchObject({ code: 'invalid_arguments' });
  const active = await db.query(`select count(*)::int as n from medications where name ilike 'vitamin d unit-d' and status = 'active'`);
  expect(active.rows[0].n).toBe(2);
});

test('medication_stop by a unique partial name among active medications', async () => {
  const added = await callTool(tools, 'medication_add', { name: 'Atorvastatin 20mg unit-e' }, ctx());
  const stopped = await callTool(tools, 'medication_stop', { name: 'atorvastatin' }, ctx());
  expect(stopped.id).toBe(added.id);
});

test('symptom_log stores name and severity', async () => {
  const row = await callTool(tools, 'symptom_log', { name: 'headache', severity: 7, notes: 'behind the eyes' }, ctx());
  expect(row).toMatchObject({ name: 'headache', severity: 7, notes: 'behind the eyes', session_id: sessionId });
  const stored = await db.query('select name, severity from symptoms where id = $1', [row.id]);
  expect(stored.rows[0]).toEqual({ name: 'headache', severity: 7 });
});

test('symptom_log without severity stores NULL', async () => {
  const row = await callTool(tools, 'symptom_log', { name: 'fatigue' }, ctx());
  expect(row.severity).toBeNull();
});

test('symptom_log severity 0 is invalid_severity and writes nothing; 11 fails the schema', async () => {
  const before = await db.query('select count(*)::int as n from symptoms');
  await expect(callTool(tools, 'symptom_log', { name: 'pain', severity: 0 }, ctx())).rejects.toMatchObject({
    code: 'invalid_severity',
  });
  await expect(callTool(tools, 'symptom_log', { name: 'pain', severity: 11 }, ctx())).rejects.toThrow();
  const after = await db.query('select count(*)::int as n from symptoms');
  expect(after.rows[0].n).toBe(before.rows[0].n);
});
