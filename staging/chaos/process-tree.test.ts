import { spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { descendants, freezeTree, processState } from './process-tree.ts';

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 200; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

test('freezeTree stops a process and its children, thaw resumes them all', async () => {
  // A shell with two sleeping children: the shape of a postmaster and its backends.
  const root = spawn('sh', ['-c', 'sleep 30 & sleep 30 & wait'], { stdio: 'ignore' });
  try {
    await until('two children', () => descendants(root.pid!).length >= 2);
    const kids = descendants(root.pid!);
    const frozen = freezeTree(root.pid!);
    expect(frozen.pids[0]).toBe(root.pid);
    expect(new Set(frozen.pids)).toEqual(new Set([root.pid!, ...kids]));
    // SIGSTOP is delivered asynchronously: on a loaded machine /proc can still say S for a moment.
    for (const pid of frozen.pids) await until(`pid ${pid} stopped (state ${processState(pid)})`, () => processState(pid) === 'T');
    frozen.thaw();
    frozen.thaw();
    await until('all running again', () => frozen.pids.every((pid) => processState(pid) !== 'T'));
  } finally {
    root.kill('SIGKILL');
  }
});

test('freezeTree names the pid when there is no such process', () => {
  expect(() => freezeTree(2 ** 22 + 17)).toThrow(/cannot pause pid \d+: no such process/);
});
