import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { RunLog } from '../run-log.ts';
import { DaemonProcess, daemonNodeArgs } from './daemon-process.ts';

const quietLog = { childLine() {}, log() {} } as unknown as RunLog;

test('lineSeen wakes on the output line it waits for, remembers it, and gives up after its wait', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'daemon-process-'));
  const entry = path.join(dir, 'fake.mjs');
  // A fake daemon: a first line at once, the awaited one 300 ms later, then it idles until SIGTERM.
  writeFileSync(
    entry,
    `console.log('{"event":"booting"}');\nsetTimeout(() => console.log('{"level":30,"event":"butler.ready"}'), 300);\nsetInterval(() => {}, 1000);\n`,
  );
  const proc = new DaemonProcess({ name: 'fake', entry, args: [], env: { PATH: process.env.PATH ?? '' }, log: quietLog });
  try {
    expect(await proc.lineSeen('"event":"never"', 100)).toBe(false);
    const started = Date.now();
    expect(await proc.lineSeen('"event":"butler.ready"', 5000)).toBe(true);
    const waited = Date.now() - started;
    // Woken by the line, not by the 5 s limit.
    expect(waited).toBeLessThan(4000);
    // Already seen: at once.
    const again = Date.now();
    expect(await proc.lineSeen('"event":"butler.ready"', 5000)).toBe(true);
    expect(Date.now() - again).toBeLessThan(50);
    expect(proc.logTail()).toContain('{"event":"booting"}');
  } finally {
    await proc.stop(2000);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('E2E_NODE_ARGS gives every daemon extra Node flags (those NODE_OPTIONS refuses, such as --cpu-prof)', () => {
  expect(daemonNodeArgs({})).toEqual([]);
  expect(daemonNodeArgs({ E2E_NODE_ARGS: '  --cpu-prof   --cpu-prof-dir=/tmp/p ' })).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/p']);
});
