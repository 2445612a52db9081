import fc from 'fast-check';
import type pg from 'pg';
import { IngestAccepted, IngestValidationError } from '../../contracts/index.ts';
import { expect, results, test } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';
import { invalidEnvelope, validEnvelope, type Envelope, type Violation } from './envelope-arbitraries.ts';

/**
 * Property-based bad input at the real boundary (docs/contracts.md,
 * Properties): generated envelopes sent to the switchboard's `ingest` over
 * MCP. Invalid ones must be refused with exactly the issues their violations
 * cause and write nothing; valid ones must be accepted once and deduplicated
 * on resend. A failing case is shrunk by fast-check and printed as the
 * smallest envelope that still fails. Seeded by E2E_FC_SEED when given (the
 * failure message prints the seed and path to replay).
 */
const INVALID_RUNS = 100; // × a batch of 10 = 1,000 invalid envelopes
const VALID_RUNS = 20; //   × a batch of 10 = 200 valid envelopes
const BATCH = 10;
const seed = process.env.E2E_FC_SEED ? Number(process.env.E2E_FC_SEED) : undefined;

test.describe.configure({ timeout: 300_000 });

/** Row counts of every switchboard table and a checksum of message_inbox: "nothing written" made exact. */
async function snapshot(db: pg.Pool) {
  const tables = (await db.query<{ t: string }>(`select quote_ident(tablename) as t from pg_tables where schemaname = 'public' order by 1`)).rows.map((r) => r.t);
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = (await db.query<{ n: number }>(`select count(*)::int as n from ${t}`)).rows[0].n;
  const { rows } = await db.query<{ sum: string | null }>(`select md5(coalesce(string_agg(m::text, '|' order by m.request_id), '')) as sum from message_inbox m`);
  return { counts, inbox: rows[0].sum };
}

const key = (i: { path: string; code: string }) => `${i.path || '(envelope)'} ${i.code}`;

async function ingest(client: McpHandle, envelope: unknown) {
  return client.callTool('ingest', { envelope }, { timeoutMs: 30_000 });
}

test('generated invalid envelopes (1,000) are each refused with exactly their issues before any database access, and nothing is written', async ({ ecosystem, sql, chaos, tag }, testInfo) => {
  // "Before any database access", checked at the boundary: the switchboard's own database connection
  // goes through a proxy that refuses for the whole barrage. A query before validation would fail the call.
  const dbProxy = await chaos.databaseProxy({ butler: 'switchboard' });
  const client = await ecosystem.butlers.switchboard.connect();
  let n = 0;
  const unique = () => `${tag}-${n++}`;
  const before = await snapshot(sql('switchboard'));
  await dbProxy.refuse();
  let tried = 0;
  const byCode = new Map<string, number>();
  try {
    await check(
      fc.asyncProperty(fc.array(invalidEnvelope(unique), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const answers = await Promise.all(batch.map((b) => ingest(client, b.envelope)));
        tried += batch.length;
        answers.forEach((res, i) => {
          const { envelope, violations } = batch[i];
          const why = describe(envelope, violations);
          expect(res.isError, `accepted an invalid envelope\n${why}`).toBe(true);
          const refused = IngestValidationError.safeParse(res.data);
          expect(refused.success, `not a validation_error: ${JSON.stringify(res.data).slice(0, 300)}\n${why}`).toBe(true);
          const got = new Set(refused.data!.details.issues.map(key));
          const want = new Set(violations.flatMap((v) => v.expect).map(key));
          expect([...got].sort(), why).toEqual([...want].sort());
          for (const w of violations.flatMap((v) => v.expect)) byCode.set(w.code, (byCode.get(w.code) ?? 0) + 1);
        });
      }),
      { numRuns: INVALID_RUNS, seed, endOnFailure: false, interruptAfterTimeLimit: 240_000 },
    );
  } finally {
    await dbProxy.pass();
    await client.close();
  }
  const after = await snapshot(sql('switchboard'));
  const line = `contracts: ${tried} generated invalid envelopes tried, ${tried} refused with their exact issues, no database access (the switchboard's connection refused throughout), nothing written (${Object.keys(before.counts).length} switchboard tables' row counts and the message_inbox checksum unchanged); issues by code: ${[...byCode].sort().map(([c, k]) => `${c} ${k}`).join(', ')}`;
  console.log(line);
  await testInfo.attach('generated-envelopes', { body: line, contentType: 'text/plain' });
  expect(after, 'the switchboard database changed').toEqual(before);
  expect(tried).toBeGreaterThanOrEqual(INVALID_RUNS * BATCH);
  expect((await (await ecosystem.butlers.switchboard.mcp()).call('status', {}, results.StatusResult)).butler, 'the switchboard answers after the barrage').toBe('switchboard');
});

test('generated valid envelopes (200) are each accepted once and deduplicated on resend', async ({ ecosystem, sql, tag }, testInfo) => {
  const client = await ecosystem.butlers.switchboard.connect();
  let n = 0;
  const unique = () => `${tag}-${n++}`;
  const ids: string[] = [];
  try {
    await check(
      fc.asyncProperty(fc.array(validEnvelope(unique), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const first = await Promise.all(batch.map((e) => ingest(client, e)));
        const again = await Promise.all(batch.map((e) => ingest(client, e)));
        batch.forEach((e, i) => {
          const why = describe(e, []);
          expect(first[i].isError, `refused a valid envelope: ${JSON.stringify(first[i].data).slice(0, 400)}\n${why}`).toBeFalsy();
          const a = IngestAccepted.parse(first[i].data);
          const b = IngestAccepted.parse(again[i].data);
          expect(a.duplicate, `first delivery marked duplicate\n${why}`).toBe(false);
          expect(b, `resend not deduplicated\n${why}`).toEqual({ request_id: a.request_id, status: 'accepted', duplicate: true });
          ids.push(a.request_id);
        });
      }),
      { numRuns: VALID_RUNS, seed, endOnFailure: true },
    );
  } finally {
    await client.close();
  }
  const { rows } = await sql('switchboard').query<{ n: number }>('select count(*)::int as n from message_inbox where request_id = any($1::uuid[])', [ids]);
  const line = `contracts: ${ids.length} generated valid envelopes accepted once each, ${ids.length} resends deduplicated, ${rows[0].n} inbox rows`;
  console.log(line);
  await testInfo.attach('generated-envelopes', { body: line, contentType: 'text/plain' });
  expect(new Set(ids).size).toBe(ids.length);
  expect(rows[0].n).toBe(ids.length);
  expect(ids.length).toBeGreaterThanOrEqual(VALID_RUNS * BATCH);
});

/**
 * fc.check with a readable failure: the seed and path to replay it, and the
 * assertion message of the shrunk case (it names the one failing envelope,
 * long strings cut), instead of fast-check's dump of the whole batch.
 */
async function check<T>(property: fc.IAsyncProperty<T>, params: fc.Parameters<T>) {
  const details = await fc.check(property, params);
  if (!details.failed) return;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    `property failed after ${details.numRuns} run(s), shrunk ${details.numShrinks} time(s); replay with E2E_FC_SEED=${details.seed} (path ${details.counterexamplePath})\n${cause}`,
  );
}

function describe(envelope: Envelope, violations: Violation[]): string {
  const text = JSON.stringify(envelope, (_k, v) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 40)}…(${v.length} chars)` : v), 2);
  return [violations.length ? `violations: ${violations.map((v) => v.what).join('; ')}` : 'a valid envelope', `envelope: ${text.length > 3000 ? `${text.slice(0, 3000)}…` : text}`].join('\n');
}
