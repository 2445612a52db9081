import pg from 'pg';
import { test, expect } from './gate.ts';
import { withDatabase } from '../../staging/ecosystem.ts';

async function connectError(url: string): Promise<{ code?: string; message: string } | undefined> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return undefined;
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message };
  } finally {
    await client.end().catch(() => {});
  }
}

test('SEC-12 a butler role connects to its own database and to no other', async ({ ecosystem, sql }) => {
  const health = ecosystem.butlers.health;
  const relationship = ecosystem.butlers.relationship;
  const denied = await connectError(withDatabase(health.roleUrl, relationship.database));
  expect(denied?.code, `connecting as ${health.role} to ${relationship.database}: ${denied?.message}`).toBe('42501');
  expect(await connectError(health.roleUrl)).toBeUndefined();

  const { rows } = await sql('health').query<{ datname: string }>('select distinct datname from pg_stat_activity where usename = $1', [health.role]);
  expect(rows.map((r) => r.datname)).toEqual([health.database]);
});
