import { defineConfig } from '@playwright/test';
import { DOMAINS, emptyDomainRequest, hasSpecs, specsDir } from './catalog/domain-projects.ts';
import { runStamp } from './staging/run-log.ts';

// One stamp names one run's log file. The config is evaluated first in the
// runner, whose environment every worker inherits, so all workers agree.
process.env.E2E_RUN_STAMP ??= runStamp();

// `--project=approvals` before approvals has specs would run the smoke gate
// alone and pass; say so and fail instead. Only the runner's own command line
// is read (workers load this file with theirs, which names no project).
const emptyRequest = emptyDomainRequest(process.argv);
if (emptyRequest) {
  console.error(emptyRequest);
  process.exit(1);
}
// A domain without specs has no project, so the whole suite does not list it.
const domains = DOMAINS.filter((name) => hasSpecs(specsDir(name)));

/**
 * Projects are the testing domains. `unit` needs no ecosystem; `smoke` is the
 * gate every other domain depends on, so nothing expensive runs when it fails.
 */
export default defineConfig({
  testDir: '.',
  testIgnore: ['**/node_modules/**', '**/.tmp/**', '**/dist/**'],
  timeout: 120_000,
  // Retries only in CI (`CI` set): locally a flaky test fails where you see it;
  // in CI one that passes on retry is reported as flaky (cost and trace summaries, HTML).
  retries: process.env.CI ? 1 : 0,
  // Shards that run at once each get their own folder (scripts/shards.ts).
  outputDir: process.env.E2E_TEST_RESULTS ?? 'test-results',
  workers: Number(process.env.E2E_WORKERS ?? 1),
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: [
    ['list'],
    ['html', { open: 'never' }],
    ['json', { outputFile: process.env.E2E_JSON_REPORT ?? '.tmp/report.json' }],
    ['./reporters/cost-reporter.ts'],
    ['./reporters/trace-reporter.ts'],
    // How long each test took, for the shard runner's balanced lists (docs/ci.md).
    ['./reporters/durations-reporter.ts'],
    // Last: scans the reports above for planted secrets once they are written.
    ['./reporters/canary-reporter.ts'],
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
