import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';

/** Where a run writes its durations unless E2E_DURATIONS_FILE or the option says otherwise. */
export const DEFAULT_DURATIONS_FILE = '.tmp/durations.json';
/** A gap between two tests of one worker longer than this is not the second test's (another shard's worker of the same index). */
export const MAX_GAP_MS = 30_000;

/** `durations.json`: milliseconds each test took in one run, keyed by its test-list line. */
export interface DurationsFile {
  version: 1;
  /** `[project] › file › describe › title` (the `--test-list` line) → ms, all attempts summed, each with its worker's gap before it. */
  tests: Record<string, number>;
}

/** The `--test-list` line naming one test: `[project] › path/from/root.spec.ts › describe › title`. */
export function testListLine(project: string, file: string, titles: string[]): string {
  return [`[${project}]`, file, ...titles].join(' › ');
}

/**
 * Writes how long each test took (every attempt counts: a shard pays for its
 * retries) to `durations.json`, which the shard runner (scripts/shards.ts)
 * reads to split tests into balanced lists. It reads only the titles and
 * durations of results, so it gives the same file after `merge-reports` of
 * shard blobs as in an unsharded run (up to the times themselves).
 */
export default class DurationsReporter implements Reporter {
  private readonly ms = new Map<string, number>();
  /** workerIndex → when its last test ended (ms since epoch). */
  private readonly lastEnd = new Map<number, number>();
  private rootDir = process.cwd();

  constructor(private readonly options: { outputFile?: string } = {}) {}

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, _suite: Suite): void {
    this.rootDir = config.rootDir;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const start = result.startTime.getTime();
    const prev = this.lastEnd.get(result.workerIndex);
    this.lastEnd.set(result.workerIndex, start + result.duration);
    if (result.status === 'skipped') return;
    // What a shard pays for a test is its duration plus the gap its worker spent
    // since the previous test ended (that test's fixture teardown, this one's
    // hooks outside the measured time): measured up to 1.6× test time on some
    // files. Only within one worker process (the same workerIndex of one run);
    // a worker's boot belongs to no test. Blobs are merged one after another,
    // so a negative or long gap (another shard) counts as none.
    const gap = prev !== undefined && start >= prev && start - prev <= MAX_GAP_MS ? start - prev : 0;
    const line = lineOf(test, this.rootDir);
    this.ms.set(line, (this.ms.get(line) ?? 0) + result.duration + gap);
  }

  onEnd(): void {
    if (this.ms.size === 0) return;
    const file = path.resolve(process.env.E2E_DURATIONS_FILE ?? this.options.outputFile ?? DEFAULT_DURATIONS_FILE);
    const tests = Object.fromEntries([...this.ms.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const out: DurationsFile = { version: 1, tests };
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(out, null, 1)}\n`);
    } catch (error) {
      console.error(`durations-reporter: warning: could not write ${file}: ${error instanceof Error ? error.message : error}`);
    }
  }
}

/** A test's list line from its title path (['', project, file, ...titles]) and its file relative to the root dir. */
export function lineOf(test: TestCase, rootDir: string): string {
  const [, project, , ...titles] = test.titlePath();
  const file = path.relative(rootDir, test.location.file).split(path.sep).join('/');
  return testListLine(project ?? '', file, titles);
}
