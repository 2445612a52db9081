import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { embeddedBinaries, systemBinaries } from './binaries.ts';
import { dropButlerDatabases, startPostgres } from './index.ts';
import { pgOsUser } from './os-user.ts';
import { connectError, folderGone, pidsMentioning, portClosed, query, removeScratch, scratchRunDir, startAndProvision } from './provider-check.ts';
import { withDatabase } from './urls.ts';

const availability = {
  embedded: async () => embeddedBinaries(),
  system: async () => systemBinaries(process.env),
};

for (const provider of ['embedded', 'system'] as const) {
  test(`INF-03 ${provider} provider: fresh cluster, isolated butler databases, nothing left after stop`, async () => {
    const found = await availability[provider]();
    test.skip('reason' in found, `${provider} provider unavailable: ${'reason' in found ? found.reason : ''}`);

    const runDir = await scratchRunDir(provider);
    const { pg, log } = await startAndProvision(provider, runDir, process.env);
    // Where the cluster really lives: <runDir>/pg, or the folder named there when the OS user cannot reach runDir.
    const marker = path.join(runDir, 'pg', 'CLUSTER_LOCATION');
    const dataDir = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : path.join(runDir, 'pg');
    try {
      expect(log.join('\n')).toContain(`postgres: ${provider} ${pg.version}`);
      const processes = await pidsMentioning(dataDir);
      expect(processes.length).toBeGreaterThan(0);
      // PostgreSQL refuses root, so as root the cluster must run under the dedicated OS user.
      const owner = await pgOsUser();
      const expectedUid = owner ? owner.uid : process.getuid?.();
      expect(processes.map((p) => p.uid)).toEqual(processes.map(() => expectedUid));
      if (owner) expect(owner.uid).not.toBe(0);
      const settings = await query<{ name: string; setting: string }>(
        pg.adminUrl,
        `select name, setting from pg_settings where name in ('fsync','max_connections','listen_addresses') order by name`,
      );
      expect(settings).toEqual([
        { name: 'fsync', setting: 'off' },
        { name: 'listen_addresses', setting: '127.0.0.1' },
        { name: 'max_connections', setting: '250' },
      ]);
    } finally {
      await pg.stop();
    }
    await pg.stop(); // twice is harmless
    expect(await pidsMentioning(dataDir)).toEqual([]);
    expect(await portClosed(pg.port)).toBe(true);
    expect(folderGone(dataDir)).toBe(true);
    await removeScratch(runDir);
  });
}

test('INF-03 url provider: suffixed names on a shared server, drops only what it created, stop leaves the server up', async () => {
  const found = await embeddedBinaries();
  test.skip('reason' in found, `no local server to share: ${'reason' in found ? found.reason : ''}`);
  const hostDir = await scratchRunDir('url-host');
  const runDir = await scratchRunDir('url');
  const shared = await startPostgres({ runDir: hostDir, env: { ...process.env, E2E_PG: 'embedded' } });
  try {
    await query(shared.adminUrl, 'create database bystander');
    const env = { ...process.env, E2E_DATABASE_URL: shared.adminUrl };
    const { pg, provisioned } = await startAndProvision('url', runDir, env, '_r1a2b_w0');
    expect(pg.adminUrl).toBe(shared.adminUrl);
    expect(pg.port).toBe(shared.port);

    await dropButlerDatabases(pg, provisioned);
    await pg.stop();
    const dbs = await query<{ datname: string }>(shared.adminUrl, `select datname from pg_database where datname like 'butler_%' or datname = 'bystander'`);
    expect(dbs).toEqual([{ datname: 'bystander' }]);
    const roles = await query<{ rolname: string }>(shared.adminUrl, `select rolname from pg_roles where rolname like 'butler_%'`);
    expect(roles).toEqual([]);
    // The shared server is still up and usable after the url provider's stop().
    expect(await connectError(withDatabase(shared.adminUrl, 'bystander'))).toBeNull();
  } finally {
    await shared.stop();
    await removeScratch(hostDir);
    await removeScratch(runDir);
  }
});

test('INF-01 E2E_PG=url without E2E_DATABASE_URL fails with one sentence', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, E2E_PG: 'url' };
  delete env.E2E_DATABASE_URL;
  await expect(startPostgres({ runDir: '/nonexistent/run', env })).rejects.toThrow(
    /^E2E_PG=url but that provider is unavailable: E2E_DATABASE_URL unset; set E2E_DATABASE_URL to a role that may create roles and databases, or unset E2E_PG$/,
  );
});
