import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test, expect, results } from './gate.ts';
import { bootEcosystem } from '../../staging/ecosystem.ts';
import { listenerPid, nestedRunBase } from '../../staging/ports.ts';
import { currentRunStamp } from '../../staging/run-log.ts';

test('INF-04 a taken port fails the boot fast, naming port, butler, pid and E2E_PORT_BASE', async ({ ecosystem }) => {
  // Slot a of this worker's own port block (staging/ports.ts): inside this run's range, so concurrent shards never meet here.
  const base = nestedRunBase('a');
  const healthPort = base + 3;
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(healthPort, '127.0.0.1', r));
  try {
    const stampDir = path.resolve('.tmp/e2e-run', currentRunStamp(process.env));
    const runFolders = () => (existsSync(stampDir) ? readdirSync(stampDir).sort() : []);
    const before = runFolders();
    const progress: string[] = [];
    const err = await bootEcosystem({ parallelIndex: 0, portBase: base, progress: (l) => progress.push(l) }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toBe(
      `port ${healthPort} (health) is taken by pid ${process.pid}; stop it — e.g. the production stack started with ` +
        '`butlers up` or a leftover `npm run staging` — or set E2E_PORT_BASE to use another port block',
    );
    // Fast means: before the boot created anything. No run folder (where PostgreSQL and the daemons would live), no boot step.
    expect(runFolders(), 'a run folder was created before the port check').toEqual(before);
    expect(progress.filter((l) => /booting|postgres/i.test(l)), 'boot steps reached before the port check').toEqual([]);
    for (const p of [base, base + 1, base + 2, base + 4, base + 99]) expect(listenerPid(p), `port ${p} left bound`).toBeUndefined();
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});

test('INF-07 the run log is stamped, linked as e2e-latest.log, and every line is JSON with its source and worker', async ({ ecosystem }) => {
  expect(path.basename(ecosystem.logFile)).toMatch(/^e2e-\d{8}-\d{6}\.log$/);
  const latest = path.join(path.dirname(ecosystem.logFile), 'e2e-latest.log');
  const target = readlinkSync(latest);
  if (target === path.basename(ecosystem.logFile)) expect(realpathSync(latest)).toBe(realpathSync(ecosystem.logFile));
  // Another run in this checkout that started later (a concurrent shard, a check) relinks it to its newer log; an older one is a bug.
  else expect(target > path.basename(ecosystem.logFile), `e2e-latest.log points at ${target}, older than this run's ${path.basename(ecosystem.logFile)}`).toBe(true);
  expect(target).toMatch(/^e2e-\d{8}-\d{6}\.log$/);
  const lines = readFileSync(ecosystem.logFile, 'utf8').split('\n').filter(Boolean);
  expect(lines.length).toBeGreaterThan(10);
  const bad = lines.filter((l) => {
    try {
      const o = JSON.parse(l);
      return !(typeof o.butler === 'string' || typeof o.component === 'string') || o.worker === undefined;
    } catch {
      return true;
    }
  });
  expect(bad.slice(0, 3), `${bad.length} lines without JSON/butler|component/worker`).toEqual([]);
  // This worker's boot only: ad-hoc butlers of earlier tests (SMK-08's extra folder) log butler.ready too.
  const inBoot = (o: { time?: string }) => !!o.time && new Date(o.time) >= ecosystem.bootStartedAt && new Date(o.time) <= ecosystem.bootedAt;
  const ready = lines.map((l) => JSON.parse(l)).filter((o) => o.event === 'butler.ready' && o.worker === ecosystem.parallelIndex && inBoot(o));
  expect(new Set(ready.map((o) => o.butler))).toEqual(new Set(ecosystem.roster.map((r) => r.name)));
});

test('INF-11 an ad-hoc butler that cannot become ready fails naming butler, check and time waited', async ({ ecosystem }) => {
  test.skip(ecosystem.reused, 'needs an ecosystem this run owns (ad-hoc butlers, its own log); not available with E2E_REUSE=1');
  // A "database" that accepts connections and never answers keeps the daemon from ever becoming ready.
  const sockets: net.Socket[] = [];
  const blackhole = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  const port = (blackhole.address() as net.AddressInfo).port;
  const before = Object.values(ecosystem.butlers).map((b) => b.pid);
  try {
    const err = await ecosystem
      .launchAdHoc({
        name: 'health',
        rosterDir: ecosystem.butlers.health.dir,
        overlay: { db: { port } },
        readinessTimeoutMs: 2000,
      })
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err?.message).toMatch(/^health did not become ready: check "\/healthz 200" still failing after 2\.\d s/);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => blackhole.close(r));
  }
  expect(Object.values(ecosystem.butlers).map((b) => b.pid), 'other butlers unaffected').toEqual(before);
  const status = await (await ecosystem.butlers.health.mcp()).call('status', {}, results.StatusResult);
  expect(status.butler).toBe('health');
});

test('INF-11 a broken butler folder fails that butler alone, naming the file and what to fix', async ({ ecosystem }) => {
  test.skip(ecosystem.reused, 'needs an ecosystem this run owns (ad-hoc butlers, its own log); not available with E2E_REUSE=1');
  const { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } = await import('node:fs');
  const os = await import('node:os');
  const root = mkdtempSync(path.join(os.tmpdir(), 'butlers-broken-'));
  const before = Object.values(ecosystem.butlers).map((b) => b.pid);
  try {
    const dir = path.join(root, 'health');
    cpSync(ecosystem.butlers.health.dir, dir, { recursive: true });
    const toml = readFileSync(path.join(dir, 'butler.toml'), 'utf8');
    writeFileSync(path.join(dir, 'butler.toml'), `${toml}\n[db]\npool_max = -1\n`);
    const badValue = await ecosystem.launchAdHoc({ name: 'health', rosterDir: dir, readinessTimeoutMs: 60_000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(badValue?.message).toContain('health exited during startup');
    expect(badValue?.message).toMatch(/butler\.toml.*db\.pool_max/);

    writeFileSync(path.join(dir, 'butler.toml'), toml);
    rmSync(path.join(dir, 'CLAUDE.md'));
    const noPrompt = await ecosystem.launchAdHoc({ name: 'health', rosterDir: dir, readinessTimeoutMs: 60_000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(noPrompt?.message).toContain('CLAUDE.md');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  expect(Object.values(ecosystem.butlers).map((b) => b.pid), 'the worker butlers are unaffected').toEqual(before);
});

test('INF §2.2 butler databases come from migrated templates and the daemons apply no migration at boot', async ({ ecosystem }) => {
  test.skip(ecosystem.reused, 'attached to a held ecosystem (E2E_REUSE=1): its boot is not in this run log');
  test.skip(!['embedded', 'system'].includes(ecosystem.postgres.provider), 'templates are built for local clusters only; on url/testcontainers the daemons migrate at start-up');
  test.skip(process.env.E2E_TEMPLATES === '0' || process.env.E2E_PG_INITDB_CACHE === '0', 'templates turned off (E2E_TEMPLATES=0 or E2E_PG_INITDB_CACHE=0)');
  expect(['cached', 'built']).toContain(ecosystem.postgres.seed);
  const lines = readFileSync(ecosystem.logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
  for (const [name, b] of Object.entries(ecosystem.butlers)) {
    const admin = ecosystem.admin(name);
    const tpl = await admin.query('select datistemplate, datallowconn from pg_database where datname = $1', [`butler_${name}_tpl`]);
    expect(tpl.rows, `template of ${name}`).toEqual([{ datistemplate: true, datallowconn: false }]);
    const recorded = await admin.query<{ chain: string; n: number }>('select chain, count(*)::int as n from schema_migrations group by chain order by chain');
    const dir = ecosystem.roster.find((r) => r.name === name)!.dir;
    const own = existsSync(path.join(dir, 'migrations')) && readdirSync(path.join(dir, 'migrations')).some((f) => f.endsWith('.sql'));
    const chains = ['core', ...(own ? [`butler:${name}`] : [])];
    expect(recorded.rows.map((r) => r.chain), `${name}: migrations recorded by the template build`).toEqual(expect.arrayContaining(chains));
    const mine = lines.filter((l) => l.pid === b.pid && l.butler === name);
    expect(mine.some((l) => l.event === 'butler.ready'), `${name} logged butler.ready`).toBe(true);
    expect(mine.filter((l) => l.event === 'db.migration_applied').map((l) => `${l.chain} ${l.file}`), `${name} applied migrations at boot`).toEqual([]);
  }
});
