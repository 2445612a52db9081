import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { ProviderContext } from './chain.ts';
import { startLocalCluster } from './local-cluster.ts';
import { folderGone, scratchRunDir } from './provider-check.ts';

// Fake initdb/postgres scripts prove that a broken start names the cause and leaves no cluster folder.

const binDir = path.resolve('.tmp', 'pg-fake-bin');

async function fakeBinary(name: string, body: string): Promise<string> {
  const file = path.join(binDir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

test.beforeAll(async () => {
  await mkdir(binDir, { recursive: true, mode: 0o755 });
});
test.afterAll(async () => {
  await rm(binDir, { recursive: true, force: true });
});

function ctx(runDir: string): ProviderContext {
  return { env: { E2E_PG_INITDB_CACHE: '0' }, runDir, log: () => undefined };
}

test('INF-03 a failing initdb is reported with its own words and leaves no cluster folder', async () => {
  const initdb = await fakeBinary('initdb-broken', 'echo "initdb: error: could not create directory: No space left on device" >&2; exit 1');
  const postgres = await fakeBinary('postgres-unused', 'exit 1');
  const runDir = await scratchRunDir('broken-initdb');
  const start = startLocalCluster('system', { initdb, postgres, source: 'fake-bin' }, ctx(runDir));
  // From a checkout the OS user cannot reach, the source also names where the binaries were copied.
  await expect(start).rejects.toThrow(/^initdb \(fake-bin(, copied to [^)]+)?\) failed: initdb: error: could not create directory: No space left on device; \S+ is full: free some space there or point E2E_PG_SCRATCH at a roomier folder$/);
  expect(folderGone(path.join(runDir, 'pg'))).toBe(true);
  await rm(path.dirname(runDir), { recursive: true, force: true });
});

test('INF-03 a postgres that dies during startup is reported with its log tail and cleaned up', async () => {
  // The fake initdb creates the data folder (argument after -D) the way the real one would.
  const initdb = await fakeBinary('initdb-ok', 'mkdir -p "$2" && chmod 700 "$2"');
  const postgres = await fakeBinary('postgres-dies', 'echo "FATAL:  could not load library: libfake.so" >&2; exit 1');
  const runDir = await scratchRunDir('broken-postgres');
  const start = startLocalCluster('embedded', { initdb, postgres, source: 'fake-bin' }, ctx(runDir));
  await expect(start).rejects.toThrow(/^postgres exited during startup \(.*postgres-dies\); log: FATAL: {2}could not load library: libfake\.so$/);
  expect(folderGone(path.join(runDir, 'pg'))).toBe(true);
  await rm(path.dirname(runDir), { recursive: true, force: true });
});
