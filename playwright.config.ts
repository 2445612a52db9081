import { defineConfig } from '@playwright/test';
import { runStamp } from './staging/run-log.ts';

// One stamp names one run's log file. The config is evaluated first in the
// runner, whose environment every worker inherits, so all workers agree.
process.env.E2E_RUN_STAMP ??= runStamp();

const live = (process.env.E2E_MODEL ?? 'double') === 'live';
const domains = [
  'flows',
  'contracts',
  'resilience',
  'observability',
  'security',
  'scheduling',
  'state',
  'approvals',
  'performance',
] as const;

/**
 * Projects are the testing domains. `unit` needs no ecosystem; `smoke` is the
 * gate every other domain depends on, so nothing expensive runs when it fails.
 */
export default defineConfig({
  testDir: '.',
  testIgnore: ['**/node_modules/**', '**/.tmp/**', '**/dist/**'],
  timeout: 120_000,
  retries: live ? 1 : 0,
  workers: Number(process.env.E2E_WORKERS ?? 1),
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: [
    ['list'],
    ['html', { open: 'never' }],
    ['json', { outputFile: process.env.E2E_JSON_REPORT ?? '.tmp/report.json' }],
    ['./reporters/cost-reporter.ts'],
  ],
  globalSetup: './fixtures/global-setup.ts',
  use: { trace: 'retain-on-failure' },
  projects: [
    { name: 'unit', testMatch: ['**/*.test.ts'] },
    { name: 'smoke', testDir: 'specs/smoke', testMatch: ['**/*.spec.ts'] },
    ...domains.map((name) => ({
      name,
      testDir: `specs/${name}`,
      testMatch: ['**/*.spec.ts'],
      dependencies: ['smoke'],
    })),
  ],
});
