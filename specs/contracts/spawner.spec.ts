import { SessionRow, SpawnerResult } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';
import { StatusResult } from '../../fixtures/tool-results.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * The spawner's result contract (contracts spec §7, docs/contracts.md): what
 * `trigger` answers and what the `sessions` row says for the same session,
 * read back by session id or by the test's own tag. Failures come from the
 * model's side (the double's faults, or a wrong API key at the real boundary);
 * the interrupted case is a real SIGKILL of the daemon while its session is
 * held in the double.
 */

type Sql = (butler: string) => import('pg').Pool;
const rowsByTag = async (sql: Sql, butler: string, tag: string) =>
  (await sql(butler).query('select * from sessions where tag = $1 order by created_at', [tag])).rows as Record<string, unknown>[];

async function trigger(client: McpHandle, prompt: string, tag: string): Promise<{ raw: unknown; result: SpawnerResult }> {
  const out = await client.callTool('trigger', { prompt, trigger_source: 'test', tag }, { timeoutMs: 90_000 });
  expect(out.isError, `trigger answered an MCP error: ${JSON.stringify(out.data)}`).toBeFalsy();
  return { raw: out.data, result: SpawnerResult.parse(out.data) };
}

const configuredModel = async (client: McpHandle) => {
  const status = await client.call('status', {}, StatusResult.extend({}).passthrough());
  const spawner = (status as { spawner?: { model?: unknown } }).spawner;
  expect(typeof spawner?.model, 'status reports the spawner model').toBe('string');
  return spawner!.model as string;
};

test('CON-38 a valid trigger on health succeeds with a session id, a duration, no error and the configured model', async ({ mcp, sql, model, logs, tag }) => {
  model.require();
  const health = await mcp('health');
  const expectedModel = await configuredModel(health);
  const { result: r } = await trigger(health, `Log my weight: 80.5 kg (${tag})`, tag);
  expect(r.success, `trigger failed: ${r.error}`).toBe(true);
  expect(r.error).toBeNull();
  expect(r.session_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.duration_ms).toBeGreaterThan(0);
  expect(r.model).toBe(expectedModel);
  const rows = await rowsByTag(sql, 'health', tag);
  expect(rows.map((x) => [x.session_id, x.status, x.model])).toEqual([[r.session_id, 'completed', expectedModel]]);
  if (model.mode === 'double') {
    // The session really asked the double for that model, and only under its own id.
    const asked = await model.requests({ session_id: r.session_id! });
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked.map((e) => e.model))).toEqual(new Set([expectedModel]));
  }
  logs.expectNoUnexpectedErrors();
});

test('CON-39 an authentication error from the model fails the trigger, and the row carries the same error text', async ({ mcp, sql, model, logs, tag }) => {
  model.requireDouble();
  await model.fault({ match: { butler: 'health', tag }, action: { type: 'status', code: 401 }, times: 0 });
  const { result: r } = await trigger(await mcp('health'), `Log my weight: 81 kg (${tag})`, tag);
  expect(r.success).toBe(false);
  expect(r.error).toMatch(/authentication/i);
  const rows = await rowsByTag(sql, 'health', tag);
  expect(rows.map((x) => [x.session_id, x.status, x.error])).toEqual([[r.session_id, 'error', r.error]]);
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.butler === 'health' && l.tag === tag] });
});

test('CON-39 at the real boundary: health restarted with a wrong API key gets 401 from the model and says so', async ({ mcp, sql, model, butlers, logs, tag }) => {
  model.require();
  await butlers.restart('health', { env: { ANTHROPIC_API_KEY: 'sk-ant-invalid-key-for-con39' } });
  const { result: r } = await trigger(await mcp('health'), `Log my weight: 81 kg (${tag})`, tag);
  expect(r.success).toBe(false);
  expect(r.error).toMatch(/authentication/i);
  expect(r.error, 'the wrong key itself is never echoed').not.toContain('sk-ant-invalid-key-for-con39');
  const rows = await rowsByTag(sql, 'health', tag);
  expect(rows.map((x) => [x.session_id, x.status, x.error])).toEqual([[r.session_id, 'error', r.error]]);
  if (model.mode === 'double') {
    const asked = await model.requests({ session_id: r.session_id! });
    expect(asked.map((e) => e.status)).toContain(401);
  }
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.butler === 'health'] });
});

test('CON-40 tokens are counted in the result and the row; in double mode they equal the usage the double reported for the session', async ({ mcp, sql, model, tag }) => {
  model.require();
  const { result: r } = await trigger(await mcp('health'), `Log my weight: 82 kg (${tag})`, tag);
  expect(r.success, `trigger failed: ${r.error}`).toBe(true);
  expect(r.input_tokens).toBeGreaterThan(0);
  expect(r.output_tokens).toBeGreaterThan(0);
  const [row] = await rowsByTag(sql, 'health', tag);
  const counters = (x: Record<string, unknown>) => ({
    input: Number(x.input_tokens), output: Number(x.output_tokens),
    cache_write: Number(x.cache_creation_input_tokens), cache_read: Number(x.cache_read_input_tokens),
  });
  expect(counters(row)).toEqual(counters(r));
  if (model.mode === 'double') {
    const control = model.requireDouble();
    const usage = { input: 0, output: 0, cache_write: 0, cache_read: 0 };
    let requests = 0;
    for (const entry of await control.requests({ session_id: r.session_id! })) {
      const detail = await control.request(entry.id);
      const u = (detail?.response?.body as { usage?: Record<string, number> } | undefined)?.usage;
      usage.input += u?.input_tokens ?? 0;
      usage.output += u?.output_tokens ?? 0;
      usage.cache_write += u?.cache_creation_input_tokens ?? 0;
      usage.cache_read += u?.cache_read_input_tokens ?? 0;
      requests++;
    }
    expect(requests, 'a tool-using session makes more than one model request').toBeGreaterThan(1);
    // Every counter the API reports is summed into the result and the row, cache writes and reads included.
    expect(counters(r)).toEqual(usage);
  }
});

test('CON-41 a held session is running with no completed_at; after release it is completed, one row, created before completed', async ({ mcp, sql, model, logs, tag }) => {
  const control = model.requireDouble();
  await model.fault({ match: { butler: 'health', tag }, action: 'hold' });
  const inFlight = trigger(await mcp('health'), `Log my weight: 83 kg (${tag})`, tag);
  const held = await control.waitForHeld({ butler: 'health', tag }, 30_000);
  const running = await rowsByTag(sql, 'health', tag);
  expect(running.map((x) => [x.status, x.completed_at, x.error])).toEqual([['running', null, null]]);
  await control.release(held.id);
  const { result: r } = await inFlight;
  expect(r.success, `trigger failed: ${r.error}`).toBe(true);
  const rows = await rowsByTag(sql, 'health', tag);
  expect(rows.map((x) => [x.session_id, x.status])).toEqual([[running[0].session_id, 'completed']]);
  expect(r.session_id).toBe(running[0].session_id);
  const row = SessionRow.parse(rows[0]);
  expect(row.completed_at).not.toBeNull();
  expect(row.created_at.getTime()).toBeLessThanOrEqual(row.completed_at!.getTime());
  logs.expectNoUnexpectedErrors();
});

test('CON-42 a session whose daemon is SIGKILLed stays running until the restart closes it as error interrupted', async ({ mcp, sql, model, butlers, logs, tag }) => {
  const control = model.requireDouble();
  await model.fault({ match: { butler: 'health', tag }, action: 'hold' });
  const inFlight = trigger(await mcp('health'), `Log my weight: 84 kg (${tag})`, tag).catch((e: unknown) => e);
  await control.waitForHeld({ butler: 'health', tag }, 30_000);
  await butlers.kill('health');
  expect(await inFlight, 'the caller sees the connection drop, not a result').toBeInstanceOf(Error);
  // Nobody is left to close the row: it still says running.
  const orphaned = await rowsByTag(sql, 'health', tag);
  expect(orphaned.map((x) => [x.status, x.completed_at, x.error])).toEqual([['running', null, null]]);
  await butlers.restart('health');
  const closed = await rowsByTag(sql, 'health', tag);
  expect(closed.map((x) => [x.session_id, x.status, x.error])).toEqual([[orphaned[0].session_id, 'error', 'interrupted']]);
  expect(SessionRow.parse(closed[0]).completed_at).not.toBeNull();
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.butler === 'health'] });
});

test('CON-43 an empty model answer fails the trigger with empty_output', async ({ mcp, sql, model, logs, tag }) => {
  model.requireDouble();
  await model.fault({ match: { butler: 'health', tag }, action: { type: 'text', text: '' }, times: 0 });
  const { raw, result: r } = await trigger(await mcp('health'), `Log my weight: 85 kg (${tag})`, tag);
  expect(r).toMatchObject({ success: false, error: 'empty_output' });
  expect((raw as { output?: unknown }).output ?? null, 'no output is made up').toBeNull();
  const rows = await rowsByTag(sql, 'health', tag);
  expect(rows.map((x) => [x.session_id, x.status, x.error])).toEqual([[r.session_id, 'error', 'empty_output']]);
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.butler === 'health' && l.tag === tag] });
});
