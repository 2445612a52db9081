import { spawn, spawnSync } from 'node:child_process';
import pg from 'pg';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from './gate.ts';
import { pidAlive } from '../../staging/supervisor/supervisor.ts';
import { nestedRunBase } from '../../staging/ports.ts';

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  void done.then(() => clearTimeout(timer));
  return { child, done, output: () => out };
}

test('INF-13 specs run against a held `npm run staging` ecosystem without booting it or tearing it down', async ({ ecosystem }) => {
  test.skip(ecosystem.reused, 'this run is itself attached to a held ecosystem');
  test.setTimeout(180_000);
  const stateFile = path.resolve('.tmp', `inf13-state-${process.pid}.json`);
  const report = path.resolve('.tmp', `inf13-report-${process.pid}.json`);
  const env = { E2E_STATE_FILE: stateFile, E2E_PORT_BASE: String(nestedRunBase('a')) };
  const staging = run(['--import', 'tsx', 'scripts/staging.ts'], env, 170_000);
  try {
    await expect.poll(() => existsSync(stateFile), { timeout: 60_000, message: `staging never wrote ${stateFile}:\n${staging.output()}` }).toBe(true);
    const held = JSON.parse(readFileSync(stateFile, 'utf8')) as { butlers: { name: string; pid: number }[] };
    const pids = held.butlers.map((b) => b.pid);

    const nested = run(
      ['node_modules/@playwright/test/cli.js', 'test', '--project=smoke', '--no-deps', '-g', 'SMK-01', '--reporter=json', '--workers=1'],
      { ...env, E2E_REUSE: '1', PLAYWRIGHT_JSON_OUTPUT_FILE: report, E2E_JSON_REPORT: report },
      120_000,
    );
    await nested.done;
    const stats = JSON.parse(readFileSync(report, 'utf8')).stats;
    expect({ expected: stats.expected, unexpected: stats.unexpected }, nested.output().slice(-2000)).toEqual({
      expected: ecosystem.roster.length,
      unexpected: 0,
    });
    expect(nested.output(), 'the reusing run booted nothing').not.toContain('booting');
    expect(pids.filter((p) => !pidAlive(p)), 'held daemons still alive after the reusing run').toEqual([]);

    staging.child.kill('SIGINT');
    expect(await staging.done).toBe(0);
    expect(staging.output()).toContain('stopped; nothing left running');
    expect(pids.filter((p) => pidAlive(p)), 'Ctrl-C stops every held daemon').toEqual([]);
    expect(existsSync(stateFile), 'state file removed').toBe(false);
  } finally {
    staging.child.kill('SIGINT');
    await staging.done;
    rmSync(report, { force: true });
    rmSync(stateFile, { force: true });
  }
});

test('INF-15 E2E_KEEP=1 leaves PostgreSQL and every butler database up after the run, and the printed cleanup line removes them', async ({ ecosystem }) => {
  test.skip(ecosystem.reused, 'this run is itself attached to a held ecosystem');
  test.skip(
    !['embedded', 'system'].includes(ecosystem.postgres.provider),
    `the cleanup line is a shell command only for local clusters; this run uses ${ecosystem.postgres.provider}`,
  );
  test.setTimeout(150_000);
  const env = { E2E_KEEP: '1', E2E_PORT_BASE: String(nestedRunBase('b')) };
  const nested = run(
    // Exactly one test: each failing test of a keep run would keep a cluster of its own.
    ['node_modules/@playwright/test/cli.js', 'test', '--project=smoke', '--no-deps', '-g', 'SMK-01 health answers on', '--reporter=line', '--workers=1'],
    env,
    140_000,
  );
  const code = await nested.done;
  const out = nested.output();
  // Every cleanup line the run printed: a worker that restarted after a failure keeps a cluster too.
  const cleanups = [...out.matchAll(/cleanup: (.+)/g)].map((m) => m[1]);
  const cleanup = cleanups[0];
  let cleaned = false;
  try {
    expect(code, out.slice(-2000)).toBe(0);
    expect(out, 'the nested run ran exactly one test').toMatch(/\b1 passed\b/);
    expect(cleanups, 'one kept ecosystem, one cleanup line').toHaveLength(1);
    const inspect = /inspect: psql (\S+)\s+\(databases: ([^)]+)\)/.exec(out);
    expect(inspect, `no inspect line in:\n${out.slice(-2000)}`).toBeTruthy();
    expect(cleanup, 'no cleanup line').toBeTruthy();
    const adminUrl = inspect![1];
    const databases = inspect![2].split(',').map((d) => d.trim());
    expect(databases).toHaveLength(ecosystem.roster.length);

    // The run is over and its worker gone; PostgreSQL still answers, with every butler database.
    const admin = new pg.Client({ connectionString: adminUrl });
    try {
      await admin.connect();
      const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname = any($1)', [databases]);
      expect(rows.map((r) => r.datname).sort()).toEqual([...databases].sort());
    } finally {
      await admin.end().catch(() => {});
    }

    const folders = [...cleanup!.matchAll(/rm -rf (.+)$/g)][0]?.[1].split(' ') ?? [];
    expect(folders.length, cleanup).toBeGreaterThan(0);
    const sh = spawnSync('sh', ['-c', cleanup!], { encoding: 'utf8' });
    cleaned = true;
    expect(sh.status, sh.stderr).toBe(0);
    await expect
      .poll(
        async () => {
          const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
          try {
            await c.connect();
            await c.end();
            return 'still answering';
          } catch {
            return 'gone';
          }
        },
        { timeout: 15_000, message: 'PostgreSQL still answers after the cleanup line' },
      )
      .toBe('gone');
    expect(folders.filter((f) => existsSync(f)), 'folders left after the cleanup line').toEqual([]);
  } finally {
    // A kept cluster is never swept: a failure above must not leave any of them running.
    for (const line of cleaned ? cleanups.slice(1) : cleanups) spawnSync('sh', ['-c', line]);
  }
});
