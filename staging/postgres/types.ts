export type ProviderName = 'url' | 'testcontainers' | 'embedded' | 'system';

/** Automatic order of the provider chain (docs/running.md, PostgreSQL providers). */
export const PROVIDER_ORDER: readonly ProviderName[] = ['url', 'testcontainers', 'embedded', 'system'];

/** A running PostgreSQL server the harness may administer. */
export interface StartedPostgres {
  provider: ProviderName;
  /** Superuser (or CREATEROLE/CREATEDB for `url`) connection string, database `postgres`. */
  adminUrl: string;
  host: string;
  port: number;
  /** `server_version` without distribution decoration, e.g. "17.6". */
  version: string;
  /** Whether the `vector` extension is installable (pg_available_extensions). */
  hasPgvector: boolean;
  /** One entry per provider passed over, with a one-line reason. */
  skipped: { provider: ProviderName; reason: string }[];
  /** Local clusters: the data folder (named by E2E_KEEP's cleanup line). */
  dataDir?: string;
  /** 'cached': started from a copy of the seed's cached data; 'built': the seed was built now; absent: no seed applied. */
  seed?: 'cached' | 'built';
  /**
   * Prepares what makes the next cluster start faster (a local cluster's
   * spare data copy), in the background; call it once the boot is done.
   * stop() waits for it. Absent for providers with nothing to prepare.
   */
  prepareNext?(): void;
  /**
   * Freezes the server so it neither accepts nor answers (local clusters:
   * SIGSTOP to the postmaster and every backend; testcontainers: `docker
   * pause`), for resilience tests (the `chaos` fixture). Absent for `url`,
   * a server the harness does not own. Paired with `resume()`.
   */
  pause?(): Promise<void>;
  /** Undoes `pause()`; safe when not paused. */
  resume?(): Promise<void>;
  /** Stops the container or cluster and removes its data; `url` leaves the server alone. Idempotent. */
  stop(): Promise<void>;
}

/** Options of startPostgres(). */
export interface StartPostgresOptions {
  /** Scratch folder of this worker's run; the provider owns `<runDir>/pg`. */
  runDir: string;
  /** Environment read for E2E_PG, E2E_DATABASE_URL, E2E_PG_IMAGE; default process.env. */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Prepared content for a fresh cluster, cached with the initdb result (local clusters only). */
  seed?: ClusterSeed;
}

/**
 * Content a fresh local cluster should start with (e.g. migrated template
 * databases). `build` runs once against a started cluster; the resulting
 * data folder is cached under `key`, so later clusters with the same key
 * start from a copy of it. Providers that do not own their data folder
 * (url, testcontainers) ignore it. `key` must change whenever what `build`
 * would create changes.
 */
export interface ClusterSeed {
  key: string;
  build(server: StartedServer, log: (line: string) => void): Promise<void>;
}

/** What provisionButlerDatabases() created for one butler. */
export interface ProvisionedButler {
  database: string;
  role: string;
  password: string;
  url: string;
}

/** A started server before the chain attaches what it skipped. */
export type StartedServer = Omit<StartedPostgres, 'skipped'>;

export type PostgresErrorCode =
  | 'E2E_PG_UNKNOWN'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_FAILED'
  | 'NO_PROVIDER'
  | 'PROVISION_FAILED';

/** A provider problem worth one sentence to the user; `code` lets callers decide skip vs error. */
export class PostgresProviderError extends Error {
  readonly code: PostgresErrorCode;

  constructor(code: PostgresErrorCode, message: string) {
    super(message);
    this.name = 'PostgresProviderError';
    this.code = code;
  }
}

/** First line of an error's message, for one-line reasons. */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n').find((line) => line.trim() !== '') ?? text).trim();
}
