import { Writable } from 'node:stream';
import { expect, test } from '@playwright/test';
import { createLogger } from './logger.ts';
import { createRedactor } from './redactor.ts';

test('secret values are masked inside strings, nested objects, arrays and errors', () => {
  const r = createRedactor(['sk-ant-double-abc123', undefined, 'x']);
  const out = r.redact({ msg: 'key=sk-ant-double-abc123!', list: ['sk-ant-double-abc123'], err: new Error('bad sk-ant-double-abc123'), n: 3 });
  expect(out).toMatchObject({ msg: 'key=***!', list: ['***'], err: { type: 'Error', message: 'bad ***' }, n: 3 });
  // Too-short values would mask ordinary text everywhere.
  expect(r.redact('x marks')).toBe('x marks');
});

test('sensitive arguments become *** and the original is untouched', () => {
  const r = createRedactor(['canary-value-1']);
  const args = { recipient: 'alice@example.test', body: 'hi', subject: 'canary-value-1 report' };
  expect(r.redactArgs(args, ['recipient', 'body'])).toEqual({ recipient: '***', body: '***', subject: '*** report' });
  expect(args.recipient).toBe('alice@example.test');
  expect(r.redactArgs({ subject: 's' }, ['recipient'])).toEqual({ subject: 's' });
});

test('the logger redacts every argument, carries base fields and keeps event', () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(...chunk.toString().trim().split('\n')), cb()) });
  const redactor = createRedactor(['tg-secret-123456']);
  const log = createLogger({ butler: 'health', worker: 1, level: 'debug', redactor, destination: sink });
  log.warn({ event: 'module.failed', error: 'token tg-secret-123456 rejected' }, 'failed with tg-secret-123456');
  redactor.addSecrets(['late-secret-999']);
  log.debug({ event: 'tool.call', args: { note: 'late-secret-999' } }, 'call');
  const [a, b] = lines.map((l) => JSON.parse(l));
  expect(a).toMatchObject({ butler: 'health', worker: 1, pid: process.pid, level: 40, event: 'module.failed', error: 'token *** rejected', msg: 'failed with ***' });
  expect(b).toMatchObject({ event: 'tool.call', args: { note: '***' } });
  expect(lines.join('\n')).not.toMatch(/tg-secret|late-secret/);
});
