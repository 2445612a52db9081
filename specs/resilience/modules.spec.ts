import { expect, results, test } from '../../fixtures/index.ts';

/**
 * Modules fail alone (spec §1.7): a module failing at startup, or its tool
 * throwing at call time, affects nothing else; a module whose dependency
 * failed is `failed`/`dependency`; independent modules are unaffected.
 */
type Modules = Record<string, { status: string; phase?: string; error?: string }>;
const statusOf = (modules: Modules, name: string) => {
  const m = modules[name];
  return { status: m?.status, phase: m?.phase };
};

test('RES-29 a malformed Telegram token fails telegram alone: messenger is up, telegram failed/credentials, the other modules and roster tools as before', async ({ mcp, sql, butlers, ecosystem, tag }) => {
  test.setTimeout(60_000);
  const before = await (await mcp('messenger')).call('status', {}, results.StatusResult);
  await butlers.restart('messenger', { env: { BUTLER_TELEGRAM_TOKEN: 'invalid' } });
  const messenger = await mcp('messenger');
  const status = await messenger.call('status', {}, results.StatusResult);
  expect(status.butler).toBe('messenger');
  expect(status.pid, 'a new process').not.toBe(before.pid);
  expect(status.pid).toBe(ecosystem.butlers.messenger.pid);
  expect(status.daemon.uptime_seconds).toBeGreaterThan(0);

  const telegram = status.modules.telegram;
  expect({ status: telegram.status, phase: telegram.phase }).toEqual({ status: 'failed', phase: 'credentials' });
  expect(telegram.error, 'names the variable and says it is malformed').toMatch(/BUTLER_TELEGRAM_TOKEN.*malformed/);
  expect(telegram.error, 'never the value').not.toContain('invalid');
  for (const m of Object.keys(before.modules).filter((m) => m !== 'telegram')) {
    expect(statusOf(status.modules, m), `${m} as before`).toEqual(statusOf(before.modules, m));
  }
  const tools = new Set((await messenger.listTools()).map((t) => t.name));
  expect(tools.has('telegram_send'), 'a failed module lists no tools').toBe(false);

  const row = await messenger.call('notification_log', { channel: 'telegram', body: `res-29 probe ${tag}` }, results.StoredRow);
  const { rows } = await sql('messenger').query('select channel, body, status from notification_log where id = $1', [row.id]);
  expect(rows).toEqual([{ channel: 'telegram', body: `res-29 probe ${tag}`, status: 'queued' }]);
});

test('RES-30 a tool that throws returns isError with its code and the daemon keeps serving: state_get succeeds, same pid', async ({ mcp, tag }) => {
  const relationship = await mcp('relationship');
  const before = await relationship.call('status', {}, results.StatusResult);
  const memory = before.modules.memory?.status === 'active';
  const failed = memory
    ? await relationship.callTool('memory_forget', { memory_id: crypto.randomUUID() })
    : await relationship.callTool('interaction_log', { contact_name: `Nobody ${tag}`, kind: 'call', summary: `res-30 ${tag}` });
  expect(failed.isError, failed.text).toBe(true);
  expect(failed.data).toMatchObject({ error: memory ? 'memory_not_found' : 'not_found' });

  const key = `${tag}:after-throw`;
  const missing = await relationship.call('state_get', { key }, results.StateGetResult);
  expect(missing).toMatchObject({ exists: false });
  await relationship.call('state_set', { key, value: { ok: true } });
  expect(await relationship.call('state_get', { key }, results.StateGetResult)).toMatchObject({ exists: true, value: { ok: true } });

  const after = await relationship.call('status', {}, results.StatusResult);
  expect(after.pid, 'the same process served both calls').toBe(before.pid);
  expect(after.daemon.started_at).toBe(before.daemon.started_at);
});

test('RES-31 email credentials decide email and email_digest only: failed/credentials and failed/dependency as booted, active with email_send once set; telegram unchanged', async ({ mcp, butlers }) => {
  test.setTimeout(60_000);
  const booted = await (await mcp('messenger')).call('status', {}, results.StatusResult);
  expect(statusOf(booted.modules, 'email')).toEqual({ status: 'failed', phase: 'credentials' });
  expect(booted.modules.email.error).toMatch(/EMAIL_ADDRESS/);
  expect(statusOf(booted.modules, 'email_digest')).toEqual({ status: 'failed', phase: 'dependency' });
  expect(booted.modules.email_digest.error).toMatch(/\bemail\b/);
  const telegram = booted.modules.telegram;
  expect(statusOf(booted.modules, 'telegram')).toEqual({ status: 'failed', phase: 'credentials' });
  expect(telegram.error, 'telegram fails for its own reason').toMatch(/BUTLER_TELEGRAM_TOKEN/);
  expect(telegram.error, 'telegram fails for its own reason').not.toMatch(/email/i);

  await butlers.restart('messenger', { env: { EMAIL_ADDRESS: 'e2e-owner@example.com', EMAIL_PASSWORD: 'not-a-real-password' } });
  const messenger = await mcp('messenger');
  const restarted = await messenger.call('status', {}, results.StatusResult);
  expect(restarted.pid).not.toBe(booted.pid);
  expect(statusOf(restarted.modules, 'email')).toEqual({ status: 'active', phase: undefined });
  expect(statusOf(restarted.modules, 'email_digest')).toEqual({ status: 'active', phase: undefined });
  expect(restarted.modules.telegram, 'telegram unchanged').toEqual(telegram);
  const tools = (await messenger.listTools()).map((t) => t.name);
  expect(tools).toContain('email_send');
  expect(tools).not.toContain('telegram_send');
});
