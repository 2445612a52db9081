import type pg from 'pg';
import { test, expect, results } from './gate.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * Every domain tool called directly by an operator (no model): the tool's SQL
 * and the migrated schema agree, rows carry session_id NULL, and gated tools
 * run only once their approval is decided.
 */

async function approveWhenPending(client: McpHandle, pool: pg.Pool, tool: string, marker: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await pool.query(
      `select id from approvals where tool_name = $1 and status = 'pending' and tool_args::text like $2`,
      [tool, `%${marker}%`],
    );
    if (rows[0]) {
      await client.call('approval_decide', { approval_id: rows[0].id, decision: 'approved', decided_by: 'smoke-test' });
      return rows[0].id;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no pending approval for ${tool} with ${marker} appeared within 10 s`);
}

test('FLW-05 measurement_log called directly writes exactly that row', async ({ mcp, sql }) => {
  const health = await mcp('health');
  const row = await health.call('measurement_log', { type: 'weight', value: 80.0, unit: 'kg' }, results.StoredRow);
  const { rows } = await sql('health').query('select type, value::float8 as value, unit, session_id from measurements where id = $1', [row.id]);
  expect(rows).toEqual([{ type: 'weight', value: 80, unit: 'kg', session_id: null }]);
});

test('SMK-06 health domain tools write real rows; medication_stop waits for approval', async ({ mcp, sql, tag }) => {
  const health = await mcp('health');
  const med = await health.call('medication_add', { name: `med-${tag}`, dosage: '500mg', frequency: 'twice daily' }, results.StoredRow);
  expect(med.status).toBe('active');
  const symptom = await health.call('symptom_log', { name: `headache ${tag}`, severity: 7 }, results.StoredRow);
  const { rows: s } = await sql('health').query('select name, severity from symptoms where id = $1', [symptom.id]);
  expect(s).toEqual([{ name: `headache ${tag}`, severity: 7 }]);

  const stop = health.call('medication_stop', { name: `med-${tag}`, reason: `smoke ${tag}` });
  const approvalId = await approveWhenPending(health, sql('health'), 'medication_stop', `med-${tag}`);
  await stop;
  const { rows: m } = await sql('health').query('select status, stop_reason from medications where id = $1', [med.id]);
  expect(m).toEqual([{ status: 'stopped', stop_reason: `smoke ${tag}` }]);
  const { rows: a } = await sql('health').query('select status, executed_at from approvals where id = $1', [approvalId]);
  expect(a[0].status).toBe('approved');
  expect(a[0].executed_at).not.toBeNull();

  // The gate holds every call (mode always); once approved, an unknown id is a not_found tool error, not a crash.
  const unknownId = '00000000-0000-4000-8000-000000000000';
  const missing = health.callTool('medication_stop', { medication_id: unknownId, reason: tag });
  await approveWhenPending(health, sql('health'), 'medication_stop', tag);
  const outcome = await missing;
  expect(outcome.isError).toBe(true);
  expect(outcome.data).toMatchObject({ error: 'not_found' });
});

test('SMK-06 relationship domain tools write real rows; contact_delete waits for approval', async ({ mcp, sql, tag }) => {
  const rel = await mcp('relationship');
  const contact = await rel.call('contact_add', { name: `Sarah ${tag}`, email: `${tag}@example.test` }, results.StoredRow);
  const inter = await rel.call('interaction_log', { contact_name: `Sarah ${tag}`, kind: 'call', summary: 'smoke' }, results.StoredRow);
  expect(inter.contact_id).toBe(contact.id);
  const reminder = await rel.call('reminder_set', { message: `call ${tag}`, due_at: '2030-01-01T09:00:00Z', contact_id: contact.id }, results.StoredRow);
  const { rows: r } = await sql('relationship').query('select message, status, contact_id from reminders where id = $1', [reminder.id]);
  expect(r).toEqual([{ message: `call ${tag}`, status: 'pending', contact_id: contact.id }]);

  const unknown = await rel.callTool('interaction_log', { contact_name: `Nobody ${tag}`, kind: 'call' });
  expect(unknown.isError).toBe(true);
  expect(unknown.data).toMatchObject({ error: 'not_found' });

  const del = rel.call('contact_delete', { name: `Sarah ${tag}` });
  await approveWhenPending(rel, sql('relationship'), 'contact_delete', tag);
  await del;
  const { rows: gone } = await sql('relationship').query('select count(*)::int as n from contacts where id = $1', [contact.id]);
  expect(gone[0].n).toBe(0);
});

test('SMK-06 general collection and entity tools round-trip', async ({ mcp, sql, tag }) => {
  const general = await mcp('general');
  const entity = await general.call('entity_create', {
    collection: `books-${tag}`,
    title: `Dune ${tag}`,
    data: { author: 'Herbert' },
    tags: [tag],
  }, results.StoredRow);
  const found = await general.call('entity_search', { tag }, results.EntitySearchResult);
  const ids = (found.entities ?? found.items ?? []).map((e) => e.id);
  expect(ids).toEqual([entity.id]);
  await general.call('entity_update', { id: entity.id, data: { author: 'Frank Herbert' } });
  const { rows } = await sql('general').query('select e.title, e.data, c.name from entities e join collections c on c.id = e.collection_id where e.id = $1', [entity.id]);
  expect(rows).toEqual([{ title: `Dune ${tag}`, data: { author: 'Frank Herbert' }, name: `books-${tag}` }]);
  await general.call('entity_delete', { id: entity.id });
  const after = await general.callTool('entity_get', { id: entity.id });
  expect(after.isError).toBe(true);
});

test('SMK-06 a tool that fails returns an error result and the daemon lives on', async ({ ecosystem, mcp }) => {
  const health = await mcp('health');
  const pid = ecosystem.butlers.health.pid;
  const bad = await health.callTool('symptom_log', { name: 'pain', severity: 0 });
  expect(bad.isError).toBe(true);
  const wrongType = await health.callTool('measurement_log', { type: 'weight', value: 'heavy' });
  expect(wrongType.isError).toBe(true);
  const status = await health.call('status', {}, results.StatusResult);
  expect(status).toMatchObject({ butler: 'health', pid });
});
