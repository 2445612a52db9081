import { ClassifyResult, DispatchResult, IngestAccepted } from '../../contracts/index.ts';
import { buildEnvelope, expect, results, test } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * Nothing lost (docs/resilience.md, Chaos soak): a fixed stream of tagged
 * messages through ingest → classify → dispatch while butlers are killed and
 * restarted, a proxy refuses and resets, and PostgreSQL freezes. Afterwards
 * every accepted message has a terminal outcome, no lock is held, no session
 * stays running and every butler answers. Bounded: MESSAGES messages, no new
 * message after SEND_WINDOW_MS.
 */
const MESSAGES = 20;
const LANES = 2;
const SEND_WINDOW_MS = 60_000;
/** A stream cut short by the window on a slow machine must still have met the kill, restart, refusal and freeze. */
const MIN_ACCEPTED = 10;

test.describe.configure({ timeout: 180_000 });

test('chaos soak: every accepted message ends completed or failed while butlers die, proxies flip and PostgreSQL freezes', async ({ ecosystem, mcp, sql, model, chaos, faults, tag }, testInfo) => {
  model.requireDouble();
  const sb = await mcp('switchboard');
  const began = Date.now();
  const sent: { i: number; tag: string; requestId?: string; error?: string; outcome?: string }[] = [];
  let accepted = 0;

  // The faults, each fired once when the stream has accepted that many messages.
  const script: [number, string, () => Promise<unknown>][] = [
    [2, 'kill relationship', () => chaos.kill('relationship')],
    [5, 'restart relationship', () => chaos.restart('relationship')],
    [7, 'health proxy refuses', () => faults.proxy('health').refuse()],
    [9, 'health proxy passes', () => faults.proxy('health').pass()],
    [10, 'PostgreSQL frozen 1.5 s', async () => {
      await chaos.postgres.pause();
      await new Promise((r) => setTimeout(r, 1500));
      await chaos.postgres.resume();
    }],
    [12, 'health proxy resets after 300 bytes', () => faults.proxy('health').resetAfter(300)],
    [14, 'health proxy passes', () => faults.proxy('health').pass()],
    [15, 'SIGKILL health', () => chaos.kill('health')],
    [17, 'restart health', () => chaos.restart('health')],
  ];
  const fired: string[] = [];
  let chaosChain: Promise<unknown> = Promise.resolve();
  const onAccepted = () => {
    for (const [at, what, act] of script) {
      if (at === accepted) chaosChain = chaosChain.then(async () => {
        await act();
        fired.push(`${what} (after ${at} accepted, t+${Math.round((Date.now() - began) / 100) / 10} s)`);
      });
    }
  };

  const one = async (client: McpHandle, i: number) => {
    const mtag = `${tag}-m${i}`;
    const body = i % 2 ? `Add a contact named Soak ${tag} ${i}` : `Log my weight: ${70 + i} kg`;
    const entry: (typeof sent)[number] = { i, tag: mtag };
    sent.push(entry);
    try {
      const a = await client.call('ingest', { envelope: buildEnvelope({ body, tag: mtag }) }, IngestAccepted, { timeoutMs: 30_000 });
      entry.requestId = a.request_id;
      accepted++;
      onAccepted();
      const c = await client.call('classify', { text: body, request_id: a.request_id, tag: mtag }, ClassifyResult, { timeoutMs: 60_000 });
      const d = await client.call('dispatch', { entries: c.entries, request_id: a.request_id, tag: mtag, timeout_ms: 8000 }, DispatchResult, { timeoutMs: 90_000 });
      entry.outcome = d.outcomes.map((o) => `${o.butler}:${o.status}`).join(',');
    } catch (err) {
      entry.error = (err as Error).message.slice(0, 200);
    }
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      const client = await ecosystem.butlers.switchboard.connect();
      try {
        while (next < MESSAGES && Date.now() - began < SEND_WINDOW_MS) await one(client, next++);
      } finally {
        await client.close();
      }
    }),
  );
  await chaosChain;

  // Every accepted message has a terminal inbox status; every routing row a known status and, when failed, a class.
  const ids = sent.filter((s) => s.requestId).map((s) => s.requestId!);
  const inbox = (await sql('switchboard').query<{ request_id: string; status: string }>('select request_id, status from message_inbox where request_id = any($1::uuid[])', [ids])).rows;
  const terminal = inbox.filter((r) => r.status === 'completed' || r.status === 'failed');
  const routes = (await sql('switchboard').query<{ status: string; error_class: string | null }>('select status, error_class from routing_log where request_id = any($1::uuid[])', [ids])).rows;
  const byStatus = (xs: { status: string }[]) => xs.reduce<Record<string, number>>((m, r) => ((m[r.status] = (m[r.status] ?? 0) + 1), m), {});
  const summary = [
    `chaos soak: sent ${sent.length}, accepted ${accepted}, terminal ${terminal.length}, lost ${accepted - terminal.length}`,
    `  inbox: ${JSON.stringify(byStatus(inbox))}; routes: ${JSON.stringify(byStatus(routes))}`,
    `  faults: ${fired.join('; ')}`,
    ...sent.filter((s) => s.error).map((s) => `  m${s.i} not through: ${s.error}`),
  ].join('\n');
  console.log(summary);
  await testInfo.attach('soak-summary', { body: summary, contentType: 'text/plain' });

  // The window bounds the soak in time; on a slow machine it may close before all MESSAGES went in.
  // Then every fault due by the last acceptance must have fired, and the stream must have been long
  // enough to meet a kill, a restart, a refusal and a database freeze.
  expect(accepted, `at least ${MIN_ACCEPTED} messages went in within ${SEND_WINDOW_MS / 1000} s\n${summary}`).toBeGreaterThanOrEqual(MIN_ACCEPTED);
  expect(fired.length, `every fault due after ${accepted} accepted messages fired\n${summary}`).toBe(script.filter(([at]) => at <= accepted).length);
  expect(accepted, 'the switchboard was never killed: every ingest is accepted').toBe(sent.length);
  expect(accepted - terminal.length, `lost messages\n${summary}`).toBe(0);
  expect(routes.filter((r) => r.status !== 'success' && !r.error_class), 'every failed route has an error_class').toEqual([]);
  expect(new Set(routes.map((r) => r.status)).size, 'the faults were felt: some routes failed').toBeGreaterThan(1);

  // No session left running, no lock held, every butler answers.
  const tags = sent.map((s) => s.tag);
  for (const name of Object.keys(ecosystem.butlers)) {
    await expect
      .poll(async () => (await sql(name).query(`select count(*)::int as n from sessions where status = 'running' and (tag = any($1) or request_id = any($2::uuid[]))`, [tags, ids])).rows[0].n, { message: `${name}: sessions still running`, timeout: 60_000 })
      .toBe(0);
    const status = await (await ecosystem.butlers[name].mcp()).call('status', {}, results.StatusResult);
    expect(status.butler).toBe(name);
    await expect.poll(async () => ((await (await ecosystem.butlers[name].mcp()).callTool('status', {})).data as any).spawner?.busy ?? false, { message: `${name}: lock still held`, timeout: 30_000 }).toBe(false);
  }
  // Health may have been quarantined by the refusals: the registry check brings it back for the next test.
  await sql('switchboard').query(`update butler_registry set eligibility_state = 'active', consecutive_failures = 0, quarantined_at = null, quarantine_reason = null where name in ('health', 'relationship')`);
});
