import type { ProviderContext } from './chain.ts';
import { findDockerEngine, hasImage, isLocalOnlyImage } from './docker-engine.ts';
import { STAGING_SETTINGS } from './pg-process.ts';
import { withConnectRetry, withStopRetry, type RetryDeps } from './retry.ts';
import { inspectServer } from './server-info.ts';
import type { StartedServer } from './types.ts';

/** The production compose image, for extension parity. */
export const DEFAULT_PG_IMAGE = 'pgvector/pgvector:pg17';
const RYUK_IMAGE = 'testcontainers/ryuk:0.14.0';

/** Speed settings as `postgres -c` arguments; the container must listen beyond its loopback. */
export function containerCommand(): string[] {
  const command = ['postgres'];
  for (const [key, value] of Object.entries(STAGING_SETTINGS)) {
    if (key !== 'listen_addresses') command.push('-c', `${key}=${value}`);
  }
  return command;
}

/**
 * testcontainers reads TESTCONTAINERS_RYUK_DISABLED from process.env when it
 * first needs the reaper. Disable Ryuk when the caller's env says so, or when
 * the PostgreSQL image is local-only (built/imported here, no registry digest)
 * and the Ryuk image is absent: such a machine most likely cannot pull Ryuk.
 * Without Ryuk a crashed run can leave its container; stop() still removes it.
 */
async function decideRyuk(ctx: ProviderContext, image: string): Promise<void> {
  if (ctx.env.TESTCONTAINERS_RYUK_DISABLED === 'true') {
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    return;
  }
  if (process.env.TESTCONTAINERS_RYUK_DISABLED === 'true') return;
  const found = await findDockerEngine(ctx.env);
  if (!('endpoint' in found)) return;
  const ryukImage = process.env.RYUK_CONTAINER_IMAGE ?? RYUK_IMAGE;
  if ((await isLocalOnlyImage(found.endpoint, image)) && !(await hasImage(found.endpoint, ryukImage))) {
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    ctx.log(`postgres: ${image} is a local-only image and ${ryukImage} is absent; Ryuk disabled (TESTCONTAINERS_RYUK_DISABLED=true)`);
  }
}

/** Starts a PostgreSQL container (user/password test, random host port) behind the retry wrappers of retry.ts (INF-02). */
export async function startContainer(ctx: ProviderContext, deps: RetryDeps = {}): Promise<StartedServer> {
  const image = ctx.env.E2E_PG_IMAGE?.trim() || DEFAULT_PG_IMAGE;
  // DOCKER_HOST given through opts.env must reach testcontainers, which only reads process.env.
  if (ctx.env.DOCKER_HOST && !process.env.DOCKER_HOST) process.env.DOCKER_HOST = ctx.env.DOCKER_HOST;
  await decideRyuk(ctx, image);
  const began = Date.now();
  // Loaded lazily: testcontainers pulls in dockerode and friends, which embedded boots never need.
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const warn = deps.warn ?? ctx.log;
  const container = await withConnectRetry(
    () =>
      new PostgreSqlContainer(image)
        .withUsername('test')
        .withPassword('test')
        .withDatabase('test')
        .withCommand(containerCommand())
        .start(),
    { ...deps, warn },
  );
  const port = container.getPort();
  const adminUrl = `postgres://test:test@127.0.0.1:${port}/postgres`;
  let stopping: Promise<void> | undefined;
  let paused = false;
  // docker pause (the cgroup freezer) through testcontainers' own dockerode client.
  const docker = async () => (await import('testcontainers')).getContainerRuntimeClient().then((c) => c.container.dockerode.getContainer(container.getId()));
  const pause = async (): Promise<void> => {
    if (paused) return;
    await (await docker()).pause();
    paused = true;
  };
  const resume = async (): Promise<void> => {
    if (!paused) return;
    await (await docker()).unpause();
    paused = false;
  };
  const stop = (): Promise<void> =>
    (stopping ??= withStopRetry(() => container.stop({ remove: true, removeVolumes: true, timeout: 10_000 }), {
      ...deps,
      warn,
    }).then(() => undefined));
  try {
    const info = await inspectServer(adminUrl);
    ctx.log(`postgres: testcontainers ${image} (${info.version}) ready on 127.0.0.1:${port} in ${Date.now() - began} ms`);
    return { provider: 'testcontainers', adminUrl, host: '127.0.0.1', port, ...info, pause, resume, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
