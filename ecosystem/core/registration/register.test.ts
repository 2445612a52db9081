import { Writable } from 'node:stream';
import { expect, test } from '@playwright/test';
import { createLogger } from '../logging/logger.ts';
import { createRedactor } from '../logging/redactor.ts';
import { backoffMs, startRegistration, type RegistrationPayload } from './register.ts';

const payload: RegistrationPayload = {
  name: 'health', endpoint_url: 'http://127.0.0.1:8103/mcp', description: 'd', capabilities: ['weight'],
  tools: ['status'], routable: true, route_contract_version: 'v1',
};

function sinkLog() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (c, _e, cb) => (c.toString().trim().split('\n').forEach((l: string) => lines.push(JSON.parse(l))), cb()) });
  return { log: createLogger({ butler: 'health', redactor: createRedactor(), destination: sink }), lines };
}

test('backoff is 1, 2, 4 … capped at 30 s', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 12].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test('retries until the registry accepts, logging each failure', async () => {
  const { log, lines } = sinkLog();
  const calls: RegistrationPayload[] = [];
  const reg = startRegistration({
    payload, log, version: '1', delaysMs: () => 5,
    local: async (args) => {
      calls.push(args);
      if (calls.length < 3) return { isError: true, content: [], structuredContent: { error: 'db_down', message: 'not yet' } };
      return { content: [], structuredContent: { ok: true } };
    },
  });
  expect(await reg.done).toBe(true);
  expect(calls).toHaveLength(3);
  expect(lines.filter((l) => l.event === 'registry.register_failed').map((l) => l.attempt)).toEqual([1, 2]);
  expect(lines.find((l) => l.event === 'registry.registered')).toMatchObject({ attempts: 3, switchboard: 'self' });
  await reg.stop();
});

test('an unreachable switchboard keeps retrying until stopped', async () => {
  const { log, lines } = sinkLog();
  const reg = startRegistration({ payload, log, version: '1', switchboardUrl: 'http://127.0.0.1:1/mcp', delaysMs: () => 20 });
  await expect.poll(() => lines.filter((l) => l.event === 'registry.register_failed').length).toBeGreaterThanOrEqual(2);
  await reg.stop();
  await reg.stop();
  expect(await reg.done).toBe(false);
});
