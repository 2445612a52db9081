import { defineConfig } from '@playwright/test';

/**
 * What `playwright merge-reports --config merge.config.ts <blobs>` writes from
 * the shards' blob reports (scripts/shards.ts, .github/workflows/e2e.yml): the
 * HTML report, the JSON report (totals), cost-summary.json, traces/ and the
 * durations the next plan balances with. Paths come from the same variables
 * as in playwright.config.ts; the merge sets them per output.
 */
export default defineConfig({
  testDir: '.',
  reporter: [
    ['html', { open: 'never' }],
    ['json', { outputFile: process.env.E2E_JSON_REPORT ?? '.tmp/report.json' }],
    ['./reporters/cost-reporter.ts'],
    ['./reporters/trace-reporter.ts'],
    ['./reporters/durations-reporter.ts'],
  ],
});
