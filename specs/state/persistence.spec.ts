import { test, expect } from '../../fixtures/index.ts';
import { stateClient, stateRow } from './state.ts';

test('STA-01 a value set by one client is read back, deeply equal, by a new client', async ({ mcp, tag }) => {
  const key = `${tag}:goal`;
  const value = { weight_goal: 75, unit: 'kg' };
  const a = await mcp('health');
  expect((await stateClient(a).set(key, value)).created).toBe(true);
  await a.close();
  const b = await mcp('health');
  expect(await stateClient(b).get(key)).toMatchObject({ key, exists: true, value });
});

test('STA-02 a value survives a restart of the daemon process', async ({ ecosystem, mcp, butlers, tag }) => {
  const key = `${tag}:goal`;
  const value = { weight_goal: 75, unit: 'kg', history: [80, 78.5] };
  await stateClient(await mcp('health')).set(key, value);
  const before = ecosystem.butlers.health.pid;
  await butlers.restart('health');
  expect(ecosystem.butlers.health.pid, 'a new health process').not.toBe(before);
  expect(await stateClient(await mcp('health')).get(key)).toMatchObject({ exists: true, value });
});

test('STA-03 state_list with the prefix lists the key with its value and updated_at', async ({ mcp, tag }) => {
  const state = stateClient(await mcp('health'));
  const set = await state.set(`${tag}:listed`, { n: 1 });
  expect(await state.list(`${tag}:`)).toEqual({ items: [{ key: `${tag}:listed`, value: { n: 1 }, updated_at: set.updated_at }] });
});

test('STA-04 delete removes the key; a second delete reports nothing deleted', async ({ mcp, sql, tag }) => {
  const state = stateClient(await mcp('health'));
  const key = `${tag}:gone`;
  await state.set(key, 'x');
  expect(await state.delete(key)).toEqual({ key, deleted: true });
  expect(await state.get(key)).toEqual({ key, exists: false, value: null, updated_at: null });
  expect(await state.delete(key)).toEqual({ key, deleted: false });
  expect(await stateRow(sql('health'), key)).toEqual([]);
});

test('STA-05 overwriting replaces the value, reports created false and keeps created_at', async ({ mcp, sql, tag }) => {
  const state = stateClient(await mcp('health'));
  const key = `${tag}:over`;
  expect((await state.set(key, 'A')).created).toBe(true);
  const [first] = await stateRow(sql('health'), key);
  expect((await state.set(key, 'B')).created).toBe(false);
  expect((await state.get(key)).value).toBe('B');
  const [second] = await stateRow(sql('health'), key);
  expect(second.created_at).toBe(first.created_at);
});

test('STA-06 every write moves updated_at strictly forward and never touches created_at', async ({ mcp, sql, tag }) => {
  const state = stateClient(await mcp('health'));
  const key = `${tag}:stamps`;
  await state.set(key, 1);
  const [first] = await stateRow(sql('health'), key);
  const again = await state.set(key, 1);
  const [second] = await stateRow(sql('health'), key);
  expect(second.updated_at > first.updated_at, `${second.updated_at} after ${first.updated_at}`).toBe(true);
  expect(second.created_at).toBe(first.created_at);
  expect(again.updated_at, 'the tool reports the stored time to the microsecond').toBe(`${second.updated_at}Z`);
});
