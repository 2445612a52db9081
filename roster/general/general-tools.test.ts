import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { ToolDef } from '../../ecosystem/core/tool.ts';
import { createButlerDb } from '../../ecosystem/testing/butler-db.ts';
import { expect, test } from '../../ecosystem/testing/roster-fixtures.ts';
import { callTool, fakeContext, loadButlerTools } from '../../ecosystem/testing/roster-tools.ts';

let db: Pool;
let tools: ToolDef[];
const sessionId = randomUUID();
const ctx = () => fakeContext('general', db, sessionId);

test.beforeAll(async ({ cluster }) => {
  db = await createButlerDb(cluster, 'general');
  tools = await loadButlerTools('general');
});
test.afterAll(async () => {
  await db?.end();
});

test('collection_create stores a collection; a second create is collection_exists', async () => {
  const row = await callTool(tools, 'collection_create', { name: 'books', description: 'to read' }, ctx());
  expect(row).toMatchObject({ name: 'books', description: 'to read', session_id: sessionId });
  await expect(callTool(tools, 'collection_create', { name: 'books' }, ctx())).rejects.toMatchObject({ code: 'collection_exists' });
});

test('entity_create creates the collection on first use and reuses it case-insensitively', async () => {
  const milk = await callTool(tools, 'entity_create', { collection: 'shopping', title: 'Milk', data: { quantity: 2 }, tags: ['dairy', ' dairy ', ''] }, ctx());
  expect(milk).toMatchObject({ collection: 'shopping', title: 'Milk', data: { quantity: 2 }, tags: ['dairy'], session_id: sessionId });
  const bread = await callTool(tools, 'entity_create', { collection: 'Shopping', title: 'Bread' }, ctx());
  expect(bread.collection_id).toBe(milk.collection_id);
  expect(bread.data).toEqual({});
  const stored = await db.query(`select count(*)::int as n from collections where lower(name) = 'shopping'`);
  expect(stored.rows[0].n).toBe(1);
});

test('collection_list counts entries per collection', async () => {
  const res = await callTool(tools, 'collection_list', {}, ctx());
  const byName = Object.fromEntries((res.collections as { name: string; entity_count: number }[]).map((c) => [c.name, c.entity_count]));
  expect(byName).toEqual({ books: 0, shopping: 2 });
});

test('entity_get returns the entry; unknown id is not_found', async () => {
  const created = await callTool(tools, 'entity_create', { collection: 'ideas', title: 'Solar oven' }, ctx());
  const got = await callTool(tools, 'entity_get', { id: created.id }, ctx());
  expect(got).toEqual(created);
  await expect(callTool(tools, 'entity_get', { id: randomUUID() }, ctx())).rejects.toMatchObject({ code: 'not_found' });
});

test('entity_search filters by collection, text in title or data, and tag', async () => {
  await callTool(tools, 'entity_create', { collection: 'recipes', title: 'Pancakes', data: { needs: 'buttermilk' }, tags: ['breakfast'] }, ctx());
  await callTool(tools, 'entity_create', { collection: 'recipes', title: 'Soup', tags: ['dinner'] }, ctx());
  const inRecipes = await callTool(tools, 'entity_search', { collection: 'RECIPES' }, ctx());
  expect((inRecipes.entities as { title: string }[]).map((e) => e.title).sort()).toEqual(['Pancakes', 'Soup']);
  const byData = await callTool(tools, 'entity_search', { query: 'BUTTERMILK' }, ctx());
  expect((byData.entities as { title: string }[]).map((e) => e.title)).toEqual(['Pancakes']);
  const byTitle = await callTool(tools, 'entity_search', { query: 'milk', collection: 'shopping' }, ctx());
  expect((byTitle.entities as { title: string }[]).map((e) => e.title)).toEqual(['Milk']);
  const byTag = await callTool(tools, 'entity_search', { tag: 'dinner' }, ctx());
  expect((byTag.entities as { title: string }[]).map((e) => e.title)).toEqual(['Soup']);
  const literal = await callTool(tools, 'entity_search', { query: '%' }, ctx());
  expect(literal.count).toBe(0);
});

test('entity_update changes the title, merges data and replaces tags', async () => {
  const created = await callTool(tools, 'entity_create', { collection: 'books', title: 'Dune', data: { author: 'Herbert' }, tags: ['sf'] }, ctx());
  const updated = await callTool(tools, 'entity_update', { id: created.id, title: 'Dune (1965)', data: { read: true }, tags: ['classic'] }, ctx());
  expect(updated).toMatchObject({ title: 'Dune (1965)', data: { author: 'Herbert', read: true }, tags: ['classic'] });
  expect(Date.parse(updated.updated_at as string)).toBeGreaterThanOrEqual(Date.parse(created.updated_at as string));
  const stored = await db.query('select title, data, tags from entities where id = $1', [created.id]);
  expect(stored.rows[0]).toEqual({ title: 'Dune (1965)', data: { author: 'Herbert', read: true }, tags: ['classic'] });
  await expect(callTool(tools, 'entity_update', { id: created.id }, ctx())).rejects.toMatchObject({ code: 'invalid_arguments' });
  await expect(callTool(tools, 'entity_update', { id: randomUUID(), title: 'x' }, ctx())).rejects.toMatchObject({ code: 'not_found' });
});

test('entity_delete removes the entry and returns it; a second delete is not_found', async () => {
  const created = await callTool(tools, 'entity_create', { collection: 'ideas', title: 'Temporary' }, ctx());
  const res = await callTool(tools, 'entity_delete', { id: created.id }, ctx());
  expect(res).toMatchObject({ deleted: true, entity: { id: created.id, title: 'Temporary' } });
  const left = await db.query('select count(*)::int as n from entities where id = $1', [created.id]);
  expect(left.rows[0].n).toBe(0);
  await expect(callTool(tools, 'entity_delete', { id: created.id }, ctx())).rejects.toMatchObject({ code: 'not_found' });
});
