import { expect, test } from '@playwright/test';
import { SerialLock } from './serial-lock.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('grants in arrival order, one holder at a time, and measures the wait', async () => {
  const lock = new SerialLock();
  const order: number[] = [];
  let holders = 0;
  let maxHolders = 0;
  const worker = async (n: number) => {
    const lease = await lock.acquire(5000);
    expect(lease).not.toBeNull();
    holders++;
    maxHolders = Math.max(maxHolders, holders);
    order.push(n);
    await sleep(30);
    holders--;
    lease!.release();
    lease!.release();
    return lease!.waitedMs;
  };
  const first = worker(0);
  expect(lock.busy).toBe(true);
  const rest = [1, 2, 3].map(worker);
  expect(lock.queueDepth).toBe(3);
  const waits = await Promise.all([first, ...rest]);
  expect(order).toEqual([0, 1, 2, 3]);
  expect(maxHolders).toBe(1);
  expect(waits[0]).toBeLessThan(10);
  expect(waits[3]).toBeGreaterThanOrEqual(80);
  expect(lock.busy).toBe(false);
  expect(lock.queueDepth).toBe(0);
});

test('a waiter gives up after its timeout and leaves the queue; later waiters still get the lock', async () => {
  const lock = new SerialLock();
  const holder = (await lock.acquire(1000))!;
  const started = performance.now();
  const impatient = lock.acquire(100);
  const patient = lock.acquire(5000);
  expect(await impatient).toBeNull();
  expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  expect(lock.queueDepth).toBe(1);
  const idle = lock.idle(5000);
  holder.release();
  const lease = await patient;
  expect(lease).not.toBeNull();
  lease!.release();
  expect(await idle).toBe(true);
  expect(await lock.idle(10)).toBe(true);
});
