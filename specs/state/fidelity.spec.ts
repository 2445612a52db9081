import fc from 'fast-check';
import { test, expect } from '../../fixtures/index.ts';
import { stateClient, stateRow } from './state.ts';

/** jsonb_typeof of a JSON value, computed here independently of PostgreSQL. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

const mixed10k = Array.from({ length: 400 }, (_, i) => `line ${i}: ascii, ünïcödé, 中文, 🦄, "q", \\b\n`).join('').slice(0, 10_240);

/** The fidelity table: input, its JSON text as the result must spell it (scalars), its jsonb_typeof. */
const FIDELITY: { name: string; value: unknown; lexical?: string; type: string }[] = [
  { name: 'string', value: 'hello', lexical: '"hello"', type: 'string' },
  { name: 'integer', value: 42, lexical: '42', type: 'number' },
  { name: 'float', value: 3.14, lexical: '3.14', type: 'number' },
  { name: 'boolean', value: true, lexical: 'true', type: 'boolean' },
  { name: 'null', value: null, lexical: 'null', type: 'null' },
  { name: 'empty object', value: {}, type: 'object' },
  { name: 'empty array', value: [], type: 'array' },
  { name: 'nested', value: { a: { b: [1, 2] } }, type: 'object' },
  { name: 'nested, longer', value: { a: { b: [1, 2, 3] } }, type: 'object' },
  { name: 'large string', value: mixed10k, type: 'string' },
  { name: 'unicode', value: '你好世界', lexical: '"你好世界"', type: 'string' },
  { name: 'emoji outside the BMP', value: '𝄞 🦄', lexical: '"𝄞 🦄"', type: 'string' },
  { name: 'escapes', value: 'line1\nline2\ttab "quoted" back\\slash', lexical: JSON.stringify('line1\nline2\ttab "quoted" back\\slash'), type: 'string' },
];

test('STA-07 every value of the fidelity table round-trips exactly, with its JSON spelling and jsonb_typeof', async ({ mcp, sql, tag }) => {
  const client = await mcp('health');
  const state = stateClient(client);
  for (const [i, row] of FIDELITY.entries()) {
    await test.step(row.name, async () => {
      const key = `${tag}:fidelity:${i}`;
      await state.set(key, row.value);
      expect(await state.get(key)).toMatchObject({ exists: true, value: row.value });
      const raw = await client.callTool('state_get', { key });
      if (row.lexical) expect(raw.text, 'the value as the result text spells it').toContain(`"value":${row.lexical}`);
      const [stored] = await stateRow(sql('health'), key);
      expect(stored.type).toBe(row.type);
      expect(stored.value).toEqual(row.value);
    });
  }
  expect(Buffer.byteLength(mixed10k)).toBeGreaterThan(10_000);
});

/** JSON text without U+0000 (which JSONB cannot hold; STA-08 covers its refusal). */
const text = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constantFrom('', 'line1\nline2\ttab', 'a "quoted" \\ backslash', '你好世界', '🦄🎉𝄞', '100%_x'),
  )
  .filter((s) => !s.includes('\u0000'));
/** Object keys: any text, plus keys with dots and quotes (never __proto__, which JSON.parse treats specially). */
const objectKey = fc.oneof(text, fc.constantFrom('a.b', 'a.b.c', 'x"y', "it's", 'back\\slash', '$ref', ' ', '0')).filter((k) => k !== '__proto__');
const number = fc.oneof(
  fc.integer({ min: -(2 ** 53 - 1), max: 2 ** 53 - 1 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
  fc.constantFrom(0, -1, 0.1, 3.14, 1e308, -1e308, 5e-324, 2 ** 53 - 1, -(2 ** 53 - 1)),
);
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie('json'), { maxLength: 6 }),
    fc.dictionary(objectKey, tie('json'), { maxKeys: 6 }),
  ),
}));

test('STA-07 property: 500 generated JSON values round-trip through state_set/state_get deeply equal, with jsonb_typeof in SQL', async ({ mcp, sql, tag }) => {
  test.setTimeout(180_000);
  const state = stateClient(await mcp('health'));
  const db = sql('health');
  let n = 0;
  await fc.assert(
    fc.asyncProperty(json, async (value) => {
      // What a JSON client sends: the value through JSON (an own __proto__ or -0 would not survive any client).
      const expected = JSON.parse(JSON.stringify(value));
      const key = `${tag}:pbt:${n++}`;
      await state.set(key, value);
      const got = await state.get(key);
      expect(got.exists).toBe(true);
      expect(got.value).toStrictEqual(expected);
      const [stored] = await stateRow(db, key);
      expect(stored.type).toBe(jsonType(expected));
      expect(stored.value).toStrictEqual(expected);
    }),
    { numRuns: 500, endOnFailure: false },
  );
  expect(n, 'values tried (shrinking adds more on failure)').toBeGreaterThanOrEqual(500);
});

test('STA-08 a U+0000 string, an empty key and a 513-character key are refused with their code, and nothing is stored', async ({ mcp, sql, tag }) => {
  const client = await mcp('health');
  const nul = await client.callTool('state_set', { key: `${tag}:nul`, value: { note: 'a\u0000b' } });
  expect(nul.isError).toBe(true);
  expect(nul.data).toMatchObject({ error: 'unsupported_character' });
  expect(JSON.stringify(nul.data)).toContain('value.note');
  const nulKey = await client.callTool('state_set', { key: `${tag}:k\u0000ey`, value: 1 });
  expect(nulKey.data).toMatchObject({ error: 'unsupported_character' });

  for (const key of ['', `${tag}:${'k'.repeat(513 - tag.length - 1)}`]) {
    expect(key === '' || key.length === 513).toBe(true);
    const bad = await client.callTool('state_set', { key, value: 1 });
    expect(bad.isError, `key of ${key.length} characters`).toBe(true);
    expect(bad.text, 'the error names the field').toMatch(/\bkey\b/);
  }
  const noValue = await client.callTool('state_set', { key: `${tag}:novalue` });
  expect(noValue.isError, 'a set without a value').toBe(true);
  expect(noValue.text, 'the error names the field').toMatch(/\bvalue\b/);
  const ok512 = `${tag}:${'k'.repeat(512 - tag.length - 1)}`;
  expect((await stateClient(client).set(ok512, 1)).created, 'a 512-character key is fine').toBe(true);
  const { rows } = await sql('health').query<{ key: string }>('select key from state where key like $1 or key = $2', [`${tag}:%`, '']);
  expect(rows.map((r) => r.key)).toEqual([ok512]);
});
