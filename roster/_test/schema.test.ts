import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Pool } from 'pg';
import { butlerMigrations, createButlerDb } from '../../ecosystem/testing/butler-db.ts';
import { EXPECTED_TABLES } from '../../ecosystem/testing/expected-roster-schema.ts';
import { expect, test } from '../../ecosystem/testing/roster-fixtures.ts';

// Whatever the core chain creates (plus the runner's own table) is not a butler table.
let coreTables: string[] = ['schema_migrations'];

test.beforeAll(async ({ cluster }) => {
  const core = await createButlerDb(cluster, null);
  try {
    const { rows } = await core.query<{ t: string }>(`select table_name as t from information_schema.tables where table_schema = 'public'`);
    coreTables = [...coreTables, ...rows.map((r) => r.t)];
  } finally {
    await core.end();
  }
});

async function butlerColumns(db: Pool): Promise<Record<string, Record<string, string>>> {
  const { rows } = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `select table_name, column_name, data_type from information_schema.columns
      where table_schema = 'public' and not (table_name = any($1)) order by table_name, ordinal_position`,
    [coreTables],
  );
  const out: Record<string, Record<string, string>> = {};
  for (const r of rows) (out[r.table_name] ??= {})[r.column_name] = r.data_type;
  return out;
}

for (const [butler, tables] of Object.entries(EXPECTED_TABLES)) {
  test(`${butler}: migrations create exactly the specified tables and columns`, async ({ cluster }) => {
    const db = await createButlerDb(cluster, butler);
    try {
      expect(await butlerColumns(db)).toEqual(tables);
      if (Object.keys(tables).length === 0) expect(butlerMigrations(butler)).toEqual([]);
    } finally {
      await db.end();
    }
  });
}

test('migration files: lexical NNN_name.sql, plain SQL without their own transaction control', () => {
  for (const butler of Object.keys(EXPECTED_TABLES)) {
    for (const file of butlerMigrations(butler)) {
      expect(basename(file)).toMatch(/^\d{3}_[a-z0-9_]+\.sql$/);
      const sql = readFileSync(file, 'utf8');
      expect(sql, `${file} must not manage transactions (the runner wraps each file)`).not.toMatch(/^\s*(begin|commit|rollback)\b/im);
    }
  }
});

test('CHECK and UNIQUE constraints hold the specified vocabularies', async ({ cluster }) => {
  const health = await createButlerDb(cluster, 'health');
  const switchboard = await createButlerDb(cluster, 'switchboard');
  const messenger = await createButlerDb(cluster, 'messenger');
  try {
    await expect(health.query(`insert into symptoms (name, severity) values ('pain', 0)`)).rejects.toThrow(/check/i);
    await expect(health.query(`insert into symptoms (name, severity) values ('pain', 11)`)).rejects.toThrow(/check/i);
    await health.query(`insert into symptoms (name, severity) values ('pain', null), ('pain', 1), ('pain', 10)`);
    await expect(health.query(`insert into medications (name, status) values ('x', 'paused')`)).rejects.toThrow(/check/i);
    const inbox = `insert into message_inbox (dedupe_key, schema_version, source_channel, source_provider,
      endpoint_identity, sender_identity, content_type, body, sent_at) values ('k1', 'ingest.v1', 'api', 'internal', 'e', 's', 'text/plain', 'b', now())`;
    await switchboard.query(inbox);
    await expect(switchboard.query(inbox)).rejects.toThrow(/unique|duplicate/i);
    const status = await switchboard.query(`select status from message_inbox where dedupe_key = 'k1'`);
    expect(status.rows).toEqual([{ status: 'accepted' }]);
    await expect(switchboard.query(`update message_inbox set status = 'routed'`)).rejects.toThrow(/check/i);
    await expect(
      switchboard.query(`insert into routing_log (origin, target_butler, tool_name, status) values ('operator', 'health', 'trigger', 'ok')`),
    ).rejects.toThrow(/check/i);
    await expect(
      switchboard.query(`insert into butler_registry (name, endpoint_url, eligibility_state) values ('x', 'http://x', 'paused')`),
    ).rejects.toThrow(/check/i);
    await expect(
      switchboard.query(`insert into fanout_execution_log (dispatch_id, subrequest_id, segment_id, butler, mode, join_policy, abort_policy, status)
        values (gen_random_uuid(), 'sr-1', 'seg-1', 'health', 'parallel', 'wait_for_all', 'continue', 'done')`),
    ).rejects.toThrow(/check/i);
    await expect(messenger.query(`insert into notification_log (channel, body) values ('sms', 'x')`)).rejects.toThrow(/check/i);
    const queued = await messenger.query(`insert into notification_log (channel, body) values ('email', 'x') returning status`);
    expect(queued.rows).toEqual([{ status: 'queued' }]);
  } finally {
    await Promise.all([health.end(), switchboard.end(), messenger.end()]);
  }
});
