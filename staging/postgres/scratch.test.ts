import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureScratch, sweepStaleClusters, writeClusterOwner } from './scratch.ts';

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

function folder(root: string, name: string, owner?: Record<string, unknown>, ageMs = 0): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  writeFileSync(path.join(dir, 'data', 'PG_VERSION'), '17\n');
  if (owner) writeFileSync(path.join(dir, 'OWNER.json'), JSON.stringify(owner));
  if (ageMs) {
    const t = (Date.now() - ageMs) / 1000;
    utimesSync(dir, t, t);
  }
  return dir;
}

test('sweepStaleClusters removes only the cluster folders of dead, unkept owners, and stops their postmaster first', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'scratch-sweep-'));
  const ownStart = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[19];
  // A stand-in postmaster for a dead owner's folder: its command line names the data folder, as postgres -D does.
  const running = folder(root, 'butlers-pg-running', { pid: deadPid(), start: null, keep: false });
  const postmaster = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', path.join(running, 'data')], { stdio: 'ignore' });
  writeFileSync(path.join(running, 'data', 'postmaster.pid'), `${postmaster.pid}\n${path.join(running, 'data')}\n`);
  const gone = new Promise((r) => postmaster.once('exit', r));
  try {
    const dead = folder(root, 'butlers-pg-dead', { pid: deadPid(), start: null, keep: false });
    const mine = path.join(root, 'butlers-pg-mine');
    mkdirSync(mine);
    writeClusterOwner(mine, false);
    const kept = folder(root, 'butlers-pg-kept', { pid: deadPid(), start: null, keep: true });
    const reused = folder(root, 'butlers-pg-reused', { pid: process.pid, start: `${ownStart}0`, keep: false });
    const freshOrphan = folder(root, 'butlers-pg-fresh');
    const oldOrphan = folder(root, 'butlers-pg-old', undefined, 60 * 60_000);
    const unrelated = folder(root, 'something-else', { pid: deadPid(), start: null, keep: false });

    const swept = await sweepStaleClusters(root);

    expect(swept.removed.sort()).toEqual([dead, oldOrphan, reused, running].sort());
    expect(swept.bytes).toBeGreaterThan(0);
    for (const d of [dead, oldOrphan, reused, running]) expect(existsSync(d)).toBe(false);
    for (const d of [mine, kept, freshOrphan, unrelated]) expect(existsSync(d)).toBe(true);
    await gone;
    expect(postmaster.signalCode).toBe('SIGQUIT');
    // Nothing left to sweep: a second pass removes nothing.
    expect((await sweepStaleClusters(root)).removed).toEqual([]);
    expect(await sweepStaleClusters(path.join(root, 'missing'))).toEqual({ removed: [], bytes: 0 });
  } finally {
    postmaster.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});

test('a postmaster.pid naming a live process that is not that cluster is never signalled', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'scratch-sweep-'));
  const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    const dir = folder(root, 'butlers-pg-reusedpid', { pid: deadPid(), start: null, keep: false });
    writeFileSync(path.join(dir, 'data', 'postmaster.pid'), `${bystander.pid}\n`);
    const swept = await sweepStaleClusters(root);
    expect(swept.removed).toEqual([dir]);
    expect(bystander.exitCode).toBeNull();
    expect(bystander.signalCode).toBeNull();
  } finally {
    bystander.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});

test('a scratch folder that cannot hold a cluster is one sentence naming it and the fix', () => {
  const env = { E2E_PG_SCRATCH: '/etc/hostname/scratch' };
  expect(() => ensureScratch('/etc/hostname/scratch', env)).toThrow(
    'E2E_PG_SCRATCH=/etc/hostname/scratch cannot be used: /etc/hostname is a file, not a folder; point E2E_PG_SCRATCH at a writable folder or unset it',
  );
  // A recursive mkdir under /proc never returns on Linux: refused before trying.
  expect(() => ensureScratch('/proc/butlers-scratch', { E2E_PG_SCRATCH: '/proc/butlers-scratch' })).toThrow(/is inside a kernel filesystem \(\/proc\)/);
  const ok = mkdtempSync(path.join(tmpdir(), 'scratch-ok-'));
  try {
    expect(() => ensureScratch(path.join(ok, 'a', 'b'), {})).not.toThrow();
    expect(existsSync(path.join(ok, 'a', 'b'))).toBe(true);
  } finally {
    rmSync(ok, { recursive: true, force: true });
  }
});
