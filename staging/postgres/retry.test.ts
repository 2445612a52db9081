import { expect, test } from '@playwright/test';
import { CONNECT_TRANSIENT, STOP_TRANSIENT, withConnectRetry, withStopRetry } from './retry.ts';

/** An operation failing `failures` times with `text`, then succeeding; counts calls. */
function flaky(failures: number, text: string): { op: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    op: async () => {
      calls++;
      if (calls <= failures) throw new Error(`(HTTP code 500) server error - ${text} (attempt ${calls})`);
      return 'started';
    },
    calls: () => calls,
  };
}

function recorder(): { sleep: (ms: number) => Promise<void>; delays: number[]; warnings: string[]; warn: (line: string) => void } {
  const delays: number[] = [];
  const warnings: string[] = [];
  return { sleep: async (ms) => void delays.push(ms), delays, warnings, warn: (line) => void warnings.push(line) };
}

test.describe('docker retry wrappers (INF-02)', () => {
  for (const text of CONNECT_TRANSIENT) {
    test(`INF-02 connect retries "${text}" up to 3 attempts, 0.5 s apart`, async () => {
      const fake = flaky(2, text);
      const deps = recorder();
      await expect(withConnectRetry(fake.op, deps)).resolves.toBe('started');
      expect(fake.calls()).toBe(3);
      expect(deps.delays).toEqual([500, 500]);

      const hopeless = flaky(5, text);
      const deps2 = recorder();
      await expect(withConnectRetry(hopeless.op, deps2)).rejects.toThrow(`${text} (attempt 3)`);
      expect(hopeless.calls()).toBe(3);
      expect(deps2.delays).toEqual([500, 500]);
    });
  }

  test('INF-02 connect does not retry an error outside the transient list', async () => {
    const fake = flaky(1, 'Could not find a working container runtime strategy');
    const deps = recorder();
    await expect(withConnectRetry(fake.op, deps)).rejects.toThrow('Could not find a working container runtime strategy');
    expect(fake.calls()).toBe(1);
    expect(deps.delays).toEqual([]);
  });

  test('INF-02 transient texts match case-insensitively', async () => {
    const fake = flaky(1, 'Read Timed Out');
    const deps = recorder();
    await expect(withConnectRetry(fake.op, deps)).resolves.toBe('started');
    expect(fake.calls()).toBe(2);
  });

  for (const text of STOP_TRANSIENT) {
    test(`INF-02 stop retries "${text}" 4 attempts with exponential backoff, then warns`, async () => {
      const recovering = flaky(3, text);
      const deps = recorder();
      await expect(withStopRetry(recovering.op, deps)).resolves.toEqual({ stopped: true, attempts: 4 });
      expect(deps.delays).toEqual([500, 1000, 2000]);
      expect(deps.warnings).toEqual([]);

      const stuck = flaky(10, text);
      const deps2 = recorder();
      const outcome = await withStopRetry(stuck.op, deps2);
      expect(outcome.stopped).toBe(false);
      expect(outcome.attempts).toBe(4);
      expect(stuck.calls()).toBe(4);
      expect(deps2.delays).toEqual([500, 1000, 2000]);
      expect(deps2.warnings).toHaveLength(1);
      expect(deps2.warnings[0]).toContain('warning: container stop gave up after 4 attempt(s)');
      expect(deps2.warnings[0]).toContain(text);
    });
  }

  test('INF-02 a non-transient stop error is one attempt and a warning, never a throw', async () => {
    const fake = flaky(1, 'permission denied');
    const deps = recorder();
    const outcome = await withStopRetry(fake.op, deps);
    expect(outcome).toEqual({ stopped: false, attempts: 1, error: '(HTTP code 500) server error - permission denied (attempt 1)' });
    expect(deps.delays).toEqual([]);
    expect(deps.warnings).toHaveLength(1);
  });
});
