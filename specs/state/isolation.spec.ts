import { test, expect } from '../../fixtures/index.ts';
import { stateClient, stateRow } from './state.ts';

test.describe('per-butler stores', () => {
  test('STA-09 the same key on health and relationship holds two independent values', async ({ mcp, sql, tag }) => {
    const key = `${tag}:prefs`;
    const health = stateClient(await mcp('health'));
    const relationship = stateClient(await mcp('relationship'));
    expect((await health.set(key, { source: 'health' })).created).toBe(true);
    expect((await relationship.set(key, { source: 'relationship' })).created, 'a new key on relationship: its own store').toBe(true);
    expect((await health.get(key)).value).toEqual({ source: 'health' });
    expect((await relationship.get(key)).value).toEqual({ source: 'relationship' });
    expect((await stateRow(sql('health'), key)).map((r) => r.value)).toEqual([{ source: 'health' }]);
    expect((await stateRow(sql('relationship'), key)).map((r) => r.value)).toEqual([{ source: 'relationship' }]);
  });

  test('STA-10 a key set only on health does not exist on relationship', async ({ mcp, tag }) => {
    const key = `${tag}:only-health`;
    await stateClient(await mcp('health')).set(key, 1);
    expect(await stateClient(await mcp('relationship')).get(key)).toEqual({ key, exists: false, value: null, updated_at: null });
  });

  test('STA-11 deleting a key on health leaves relationship\'s value of the same key intact', async ({ mcp, tag }) => {
    const key = `${tag}:prefs`;
    const health = stateClient(await mcp('health'));
    const relationship = stateClient(await mcp('relationship'));
    await health.set(key, { source: 'health' });
    await relationship.set(key, { source: 'relationship' });
    expect((await health.delete(key)).deleted).toBe(true);
    expect(await relationship.get(key)).toMatchObject({ exists: true, value: { source: 'relationship' } });
    expect((await health.get(key)).exists).toBe(false);
  });
});
