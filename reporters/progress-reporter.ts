import type { FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';

/**
 * One machine-readable line per finished test, for the shard runner
 * (scripts/shards.ts) to print progress of shards that run at once:
 * `progress <done>/<total> failed=<n> flaky=<n>`. Retries do not count twice.
 */
export default class ProgressReporter implements Reporter {
  private total = 0;
  private done = 0;
  private failed = 0;

  printsToStdio(): boolean {
    return true;
  }

  onBegin(_config: unknown, suite: Suite): void {
    this.total = suite.allTests().length;
    console.log(`progress 0/${this.total} failed=0`);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // A test ends once it passes, is skipped, or has used its last retry.
    const final = result.status === 'passed' || result.status === 'skipped' || result.retry >= test.retries;
    if (!final) return;
    this.done++;
    if (test.outcome() === 'unexpected') this.failed++;
    console.log(`progress ${this.done}/${this.total} failed=${this.failed}`);
  }

  onEnd(result: FullResult): void {
    console.log(`progress end ${result.status} ${this.done}/${this.total} failed=${this.failed}`);
  }
}
