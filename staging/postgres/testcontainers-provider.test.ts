import { expect, test } from '@playwright/test';
import { dockerGet, findDockerEngine, hasImage } from './docker-engine.ts';
import { portClosed, removeScratch, scratchRunDir, startAndProvision } from './provider-check.ts';
import { DEFAULT_PG_IMAGE } from './testcontainers-provider.ts';

const LOCAL_IMAGE = 'butlers-e2e/postgres:15-local';

test('INF-03 testcontainers provider: container with isolated butler databases, removed after stop', async () => {
  test.setTimeout(180_000);
  const engine = await findDockerEngine(process.env);
  test.skip(!('endpoint' in engine), `testcontainers provider unavailable: ${'reason' in engine ? engine.reason : ''}`);
  if (!('endpoint' in engine)) return;

  // Offline machines have only the image scripts/docker-leg.sh builds; prefer it over a pull that cannot work.
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!env.E2E_PG_IMAGE && !(await hasImage(engine.endpoint, DEFAULT_PG_IMAGE)) && (await hasImage(engine.endpoint, LOCAL_IMAGE))) {
    env.E2E_PG_IMAGE = LOCAL_IMAGE;
  }
  const image = env.E2E_PG_IMAGE || DEFAULT_PG_IMAGE;
  const containersOf = async (): Promise<string[]> => {
    const answer = await dockerGet(engine.endpoint, '/containers/json?all=1', 5000);
    return (JSON.parse(answer.body) as { Id: string; Image: string }[]).filter((c) => c.Image === image).map((c) => c.Id);
  };
  const before = await containersOf();

  const runDir = await scratchRunDir('tc');
  const { pg, log } = await startAndProvision('testcontainers', runDir, env);
  try {
    expect(pg.adminUrl).toBe(`postgres://test:test@127.0.0.1:${pg.port}/postgres`);
    expect(log.join('\n')).toContain(`postgres: testcontainers ${image}`);
    expect((await containersOf()).length).toBe(before.length + 1);
  } finally {
    await pg.stop();
  }
  await pg.stop(); // twice is harmless
  expect(await containersOf()).toEqual(before);
  expect(await portClosed(pg.port)).toBe(true);
  await removeScratch(runDir);
});
