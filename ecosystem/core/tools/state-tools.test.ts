import { call, expect, failure, makeCtx, test } from '../../testing/tool-context.ts';
import { stateDelete, stateGet, stateList, stateSet } from './state-tools.ts';
import type { ToolDef } from '../tool.ts';

const get = stateGet as unknown as ToolDef;
const set = stateSet as unknown as ToolDef;
const list = stateList as unknown as ToolDef;
const del = stateDelete as unknown as ToolDef;

test('a stored JSON null is JSONB null with exists true; a missing key has exists false', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const created = await call(set, { key: 'nothing', value: null }, ctx);
  expect(created.created).toBe(true);
  const { rows } = await db.query(`SELECT value IS NULL AS sql_null, jsonb_typeof(value) AS t FROM state WHERE key = 'nothing'`);
  expect(rows[0]).toEqual({ sql_null: false, t: 'null' });
  expect(await call(get, { key: 'nothing' }, ctx)).toMatchObject({ key: 'nothing', exists: true, value: null });
  expect(await call(get, { key: 'absent' }, ctx)).toEqual({ key: 'absent', exists: false, value: null, updated_at: null });
});

test('values round-trip with their JSON type', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const cases: [unknown, string][] = [
    ['hello', 'string'],
    [42, 'number'],
    [3.14, 'number'],
    [true, 'boolean'],
    [{}, 'object'],
    [[], 'array'],
    [{ a: { b: [1, 2, 3] } }, 'object'],
    ['你好世界 🦄 "q" \\ line1\nline2\ttab', 'string'],
  ];
  for (const [i, [value, type]] of cases.entries()) {
    await call(set, { key: `k${i}`, value }, ctx);
    const got = await call(get, { key: `k${i}` }, ctx);
    expect(got.value).toEqual(value);
    expect(JSON.stringify(got.value)).toBe(JSON.stringify(value));
    const { rows } = await db.query('SELECT jsonb_typeof(value) AS t FROM state WHERE key = $1', [`k${i}`]);
    expect(rows[0].t).toBe(type);
  }
});

test('state_set reports created only for a new key and keeps created_at', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const first = await call(set, { key: 'goal', value: { kg: 75 } }, ctx);
  const before = (await db.query(`SELECT created_at FROM state WHERE key = 'goal'`)).rows[0].created_at;
  const second = await call(set, { key: 'goal', value: { kg: 74 } }, ctx);
  expect(first.created).toBe(true);
  expect(second.created).toBe(false);
  expect(Date.parse(second.updated_at)).toBeGreaterThan(Date.parse(first.updated_at));
  const after = await db.query(`SELECT created_at, value FROM state WHERE key = 'goal'`);
  expect(after.rows[0].created_at.getTime()).toBe(before.getTime());
  expect(after.rows[0].value).toEqual({ kg: 74 });
});

test('concurrent first writes of one key: one row, exactly one created, latest updated_at wins', async ({ db }) => {
  const { ctx } = makeCtx(db);
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => call(set, { key: 'race', value: { counter: i } }, ctx).then((r) => ({ ...r, i }))),
  );
  expect(results.filter((r) => r.created).length).toBe(1);
  // updated_at carries microseconds (fixed-width ISO, so strings order like times): no two writes tie.
  const stamps = results.map((r) => r.updated_at as string);
  expect(new Set(stamps).size).toBe(10);
  for (const s of stamps) expect(s).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  const last = results.reduce((a, b) => (b.updated_at > a.updated_at ? b : a));
  const got = await call(get, { key: 'race' }, ctx);
  expect((got.value as { counter: number }).counter).toBe(last.i);
  expect(got.updated_at).toBe(last.updated_at);
});

test('state_list prefix is literal and sorted', async ({ db }) => {
  const { ctx } = makeCtx(db);
  for (const key of ['health:prefs', 'health:goals', 'healthcare:b', 'general:prefs', 'axb', '100%x', '100x', 'a\\b', 'aXb\\']) {
    await call(set, { key, value: key }, ctx);
  }
  const keys = async (prefix?: string) =>
    (await call(list, prefix === undefined ? {} : { prefix }, ctx)).items.map((i: { key: string }) => i.key);
  expect(await keys('health:')).toEqual(['health:goals', 'health:prefs']);
  expect(await keys('a_b')).toEqual([]);
  expect(await keys('100%')).toEqual(['100%x']);
  expect(await keys('a\\')).toEqual(['a\\b']);
  expect(await keys('nothing:')).toEqual([]);
  const all = await keys();
  expect(all).toHaveLength(9);
  expect(all).toEqual([...all].sort());
  const item = (await call(list, { prefix: 'general:' }, ctx)).items[0];
  expect(item).toMatchObject({ key: 'general:prefs', value: 'general:prefs' });
  expect(Number.isNaN(Date.parse(item.updated_at))).toBe(false);
});

test('state_delete reports whether something was deleted', async ({ db }) => {
  const { ctx } = makeCtx(db);
  await call(set, { key: 'gone', value: 1 }, ctx);
  expect(await call(del, { key: 'gone' }, ctx)).toEqual({ key: 'gone', deleted: true });
  expect((await call(get, { key: 'gone' }, ctx)).exists).toBe(false);
  expect(await call(del, { key: 'gone' }, ctx)).toEqual({ key: 'gone', deleted: false });
});

test('U+0000 is refused with unsupported_character; bad keys fail validation; nothing stored', async ({ db }) => {
  const { ctx } = makeCtx(db);
  expect((await failure(() => call(set, { key: 'nul', value: { a: ['x\u0000y'] } }, ctx))).code).toBe('unsupported_character');
  await expect(call(set, { key: '', value: 1 }, ctx)).rejects.toThrow(/key|String must contain/);
  await expect(call(set, { key: 'x'.repeat(513), value: 1 }, ctx)).rejects.toThrow();
  await expect(call(set, { key: 'novalue' }, ctx)).rejects.toThrow(/value is required/);
  expect((await db.query('SELECT count(*)::int AS n FROM state')).rows[0].n).toBe(0);
});
