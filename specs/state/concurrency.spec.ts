import { test, expect } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';
import { stateClient, stateRow } from './state.ts';

/** `n` separate MCP sessions to one butler: real concurrent clients, each with its own connection. */
async function clients(mcp: (b: string) => Promise<McpHandle>, butler: string, n: number) {
  return Promise.all(Array.from({ length: n }, () => mcp(butler).then(stateClient)));
}

test('STA-16 ten concurrent writers: no error, one row, and the last writer (latest updated_at) wins', async ({ mcp, sql, tag }) => {
  const key = `${tag}:concurrent`;
  const writers = await clients(mcp, 'health', 10);
  const results = await Promise.all(writers.map((w, i) => w.set(key, { counter: i }).then((r) => ({ i, at: r.updated_at }))));
  const rows = await stateRow(sql('health'), key);
  expect(rows).toHaveLength(1);
  const stamps = results.map((r) => r.at);
  expect(new Set(stamps).size, 'every write has its own updated_at').toBe(10);
  // Fixed-width ISO with microseconds: the strings order like the times they name.
  const last = results.reduce((a, b) => (b.at > a.at ? b : a));
  expect(rows[0].value).toEqual({ counter: last.i });
  expect((await writers[0].get(key)).value).toEqual({ counter: last.i });
});

test('STA-17 ten concurrent reads of one key return identical results', async ({ mcp, tag }) => {
  const key = `${tag}:read`;
  const readers = await clients(mcp, 'health', 10);
  await readers[0].set(key, { a: [1, 2, { b: 'c' }] });
  const reads = await Promise.all(readers.map((r) => r.get(key)));
  for (const r of reads) expect(r).toEqual(reads[0]);
  expect(reads[0]).toMatchObject({ exists: true, value: { a: [1, 2, { b: 'c' }] } });
});

test('STA-18 reads racing a writer that alternates A and B see A or B, never an error or anything else', async ({ mcp, tag }) => {
  const key = `${tag}:flip`;
  const A = { side: 'A', payload: 'a'.repeat(2000) };
  const B = { side: 'B', payload: 'b'.repeat(2000), extra: [1, 2, 3] };
  const [writer, ...readers] = await clients(mcp, 'health', 11);
  await writer.set(key, A);
  let writes = 0;
  let stop = false;
  const writing = (async () => {
    while (!stop) await writer.set(key, writes++ % 2 === 0 ? B : A);
  })();
  const seen = await Promise.all(Array.from({ length: 50 }, (_, i) => readers[i % readers.length].get(key).then((r) => r.value)));
  stop = true;
  await writing;
  for (const v of seen) expect([A, B]).toContainEqual(v);
  expect(writes, 'the writer really ran during the reads').toBeGreaterThan(0);
});

test('STA-19 a read racing a delete returns the value or exists false, twenty times, without errors', async ({ mcp, tag }) => {
  const [a, b] = await clients(mcp, 'health', 2);
  const outcomes = new Set<string>();
  for (let round = 0; round < 20; round++) {
    const key = `${tag}:race:${round}`;
    await a.set(key, { round });
    const [read, del] = await Promise.all([b.get(key), a.delete(key)]);
    expect(del.deleted).toBe(true);
    if (read.exists) expect(read.value).toEqual({ round });
    else expect(read).toEqual({ key, exists: false, value: null, updated_at: null });
    outcomes.add(read.exists ? 'value' : 'gone');
    expect((await a.get(key)).exists).toBe(false);
  }
  test.info().annotations.push({ type: 'outcomes', description: [...outcomes].join(', ') });
});

test('STA-20 ten concurrent first writes of a new key: no unique violation, one row, exactly one created', async ({ mcp, sql, tag }) => {
  const key = `${tag}:fresh`;
  const writers = await clients(mcp, 'health', 10);
  const results = await Promise.all(writers.map((w, i) => w.set(key, i)));
  expect(results.filter((r) => r.created)).toHaveLength(1);
  expect(await stateRow(sql('health'), key)).toHaveLength(1);
});
