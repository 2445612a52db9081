import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { NESTED_RUN_OFFSETS, PORTS_PER_WORKER, nestedRunBase, testPort, workerPort } from './ports.ts';

test('a test file\'s fixed port moves with E2E_PORT_BASE and the worker, like a butler\'s', () => {
  expect(testPort(8540, { E2E_PORT_BASE: '8100' })).toBe(8540);
  expect(testPort(8540, {})).toBe(8540);
  expect(testPort(8540, { E2E_PORT_BASE: '30100' })).toBe(30540);
  expect(testPort(8540, { E2E_PORT_BASE: '30100', TEST_PARALLEL_INDEX: '1' })).toBe(31540);
  expect(testPort(8540, { E2E_PORT_BASE: '30100', TEST_PARALLEL_INDEX: '1' })).toBe(workerPort(8540, 1, 30100));
});

test('nested runs take their base inside this worker\'s own block, above butlers, proxies and unit blocks', () => {
  for (const [w, base] of [[0, 30100], [2, 8100]] as const) {
    const env = { E2E_PORT_BASE: String(base), TEST_PARALLEL_INDEX: String(w) };
    const block = base + w * PORTS_PER_WORKER;
    const a = nestedRunBase('a', env);
    const b = nestedRunBase('b', env);
    // A nested --workers=1 run uses its base + 0..199 (butlers and proxies).
    for (const nested of [a, b]) {
      expect(nested).toBeGreaterThanOrEqual(testPort(8609, env) + 1);
      expect(nested + 199).toBeLessThan(block + PORTS_PER_WORKER);
    }
    expect(a + 199, 'slots a and b overlap').toBeLessThan(b);
  }
  expect(Object.keys(NESTED_RUN_OFFSETS).sort()).toEqual(['a', 'b']);
});

/** Every .ts file of the suite, except dependencies and scratch. */
function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.tmp', 'dist', '.git', 'test-results', 'playwright-report', 'blob-report'].includes(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (/\.(test|spec)\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

test('no test pins a port outside its run\'s block: every fixed port goes through testPort or nestedRunBase', () => {
  // Each pattern is a way a fixed port used to be written; a run on E2E_PORT_BASE=30100 would still have used it.
  const patterns = [
    /E2E_PORT_BASE: ['"`]\d/,
    /E2E_PORT_BASE: String\(ecosystem\.portBase \+/,
    /portBase(\(\))? \+ [\d_]{4,}/,
    /\b(listen|startFakeMcpServer)\(\d{4,5}\b/,
    /\bstart\w*\(.*\bport: \d{4,5}\b/,
    /\[['"]\w+['"], \d{4,5}\]/,
    /^const [A-Z_]*(PORT|SB|DEAD|HEALTH|ROGUE)[A-Z_]* = \d{4,5};/,
    /\b\w+: 8[2-9]\d\d\b.*as const/,
    /127\.0\.0\.1:8[2-9]\d\d\//,
  ];
  const offenders: string[] = [];
  for (const file of sources(path.resolve('.')).filter((f) => !f.endsWith('ports.test.ts'))) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (patterns.some((p) => p.test(line))) offenders.push(`${path.relative('.', file)}:${i + 1}: ${line.trim()}`);
    });
  }
  expect(offenders, 'fixed ports: write them as testPort(<port at base 8100>) or nestedRunBase(slot), staging/ports.ts').toEqual([]);
});
