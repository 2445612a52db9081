import { expect, test } from '@playwright/test';
import { AdminPools } from './admin-pools.ts';

const butler = (name: string) => ({ database: `butler_${name}`, role: `butler_${name}`, password: 'x', url: `postgres://butler_${name}:x@127.0.0.1:1/butler_${name}` });

test('an unknown butler names the known ones', () => {
  const pools = new AdminPools(() => 'postgres://postgres:pw@127.0.0.1:1/postgres', { health: butler('health'), general: butler('general') });
  expect(() => pools.pool('helth')).toThrow('no database for butler "helth"; known butlers: health, general');
});

test('before PostgreSQL started, the error says so', () => {
  const pools = new AdminPools(() => undefined, {});
  expect(() => pools.pool('switchboard')).toThrow(/PostgreSQL has not started/);
});

test('one pool per database, made on first use, on that database', async () => {
  const pools = new AdminPools(() => 'postgres://postgres:pw@127.0.0.1:1/postgres', { health: butler('health') });
  const a = pools.pool('health');
  expect(pools.pool('health')).toBe(a);
  expect((a as unknown as { options: { connectionString: string } }).options.connectionString).toBe('postgres://postgres:pw@127.0.0.1:1/butler_health');
  await pools.end();
});
