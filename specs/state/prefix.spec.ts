import { test, expect } from '../../fixtures/index.ts';
import { stateClient } from './state.ts';

test('STA-12 a prefix lists exactly its keys, sorted', async ({ mcp, tag }) => {
  const state = stateClient(await mcp('health'));
  for (const k of ['health:prefs', 'general:prefs', 'health:history', 'health:goals']) await state.set(`${tag}${k}`, k);
  const { items } = await state.list(`${tag}health:`);
  expect(items.map((i) => i.key)).toEqual([`${tag}health:goals`, `${tag}health:history`, `${tag}health:prefs`]);
  expect(items.map((i) => i.value)).toEqual(['health:goals', 'health:history', 'health:prefs']);
});

test('STA-13 without a prefix every key is listed, in key order', async ({ mcp, tag }) => {
  const state = stateClient(await mcp('health'));
  const mine = ['health:prefs', 'health:goals', 'health:history', 'general:prefs'].map((k) => `${tag}${k}`);
  for (const k of mine) await state.set(k, 1);
  const keys = (await state.list()).items.map((i) => i.key);
  for (const k of mine) expect(keys).toContain(k);
  // Other tests' keys may be there too; the whole list is still sorted by code point.
  expect(keys).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
});

test('STA-14 a prefix nothing starts with gives an empty list', async ({ mcp, tag }) => {
  const state = stateClient(await mcp('health'));
  await state.set(`${tag}something:x`, 1);
  expect(await state.list(`${tag}nothing:`)).toEqual({ items: [] });
});

test('STA-15 the prefix is literal: no word matching, and % and _ are ordinary characters', async ({ mcp, tag }) => {
  const state = stateClient(await mcp('health'));
  for (const k of ['health:a', 'healthcare:b', 'axb', '100%x', '100x']) await state.set(`${tag}${k}`, k);
  const keys = async (prefix: string) => (await state.list(`${tag}${prefix}`)).items.map((i) => i.key);
  expect(await keys('health:')).toEqual([`${tag}health:a`]);
  expect(await keys('a_b'), '_ is not a one-character wildcard').toEqual([]);
  expect(await keys('100%'), '% is not a wildcard').toEqual([`${tag}100%x`]);
});
