import { embeddedBinaries, systemBinaries } from './binaries.ts';
import { runChain, type ProviderContext, type ProviderSet } from './chain.ts';
import { probeDocker } from './docker-engine.ts';
import { startLocalCluster } from './local-cluster.ts';
import { startContainer } from './testcontainers-provider.ts';
import type { StartPostgresOptions, StartedPostgres } from './types.ts';
import { connectUrl, probeUrl } from './url-provider.ts';

export { describeChain, forcedProvider, isProviderName, runChain } from './chain.ts';
export type { Availability, ProviderContext, ProviderImpl, ProviderSet } from './chain.ts';
export { butlerObjectName, dropButlerDatabases, provisionButlerDatabases, type ProvisionOptions } from './provision.ts';
export { redactUrl } from './server-info.ts';
export { roleUrl, withDatabase } from './urls.ts';
export { DEFAULT_PG_IMAGE } from './testcontainers-provider.ts';
export { PROVIDER_ORDER, PostgresProviderError } from './types.ts';
export type { ClusterSeed, PostgresErrorCode, ProviderName, ProvisionedButler, StartPostgresOptions, StartedPostgres } from './types.ts';

/** The real providers; tests build their own ProviderSet with fake probes. */
export const providers: ProviderSet = {
  url: {
    probe: async (ctx) => probeUrl(ctx.env),
    start: connectUrl,
  },
  testcontainers: {
    probe: (ctx) => probeDocker(ctx.env),
    start: (ctx) => startContainer(ctx),
  },
  embedded: {
    probe: async () => {
      const found = await embeddedBinaries();
      return 'reason' in found ? { ok: false, reason: found.reason } : { ok: true };
    },
    start: async (ctx) => {
      const found = await embeddedBinaries();
      if ('reason' in found) throw new Error(found.reason);
      return startLocalCluster('embedded', found, ctx);
    },
  },
  system: {
    probe: async (ctx) => {
      const found = await systemBinaries(ctx.env);
      return 'reason' in found ? { ok: false, reason: found.reason } : { ok: true };
    },
    start: async (ctx) => {
      const found = await systemBinaries(ctx.env);
      if ('reason' in found) throw new Error(found.reason);
      return startLocalCluster('system', found, ctx);
    },
  },
};

/**
 * Starts PostgreSQL from the provider chain (E2E_PG forces one). Throws a
 * PostgresProviderError whose message is one sentence: NO_PROVIDER (skip the
 * suite unless E2E_REQUIRE=1), PROVIDER_UNAVAILABLE / E2E_PG_UNKNOWN (user
 * setting), PROVIDER_FAILED (a start that broke).
 */
export async function startPostgres(opts: StartPostgresOptions): Promise<StartedPostgres> {
  const ctx: ProviderContext = {
    env: opts.env ?? process.env,
    runDir: opts.runDir,
    log: opts.log ?? (() => undefined),
    seed: opts.seed,
  };
  return runChain(ctx, providers);
}
