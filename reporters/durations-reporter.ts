import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';

/** Where a run writes its durations unless E2E_DURATIONS_FILE or the option says otherwise. */
export const DEFAULT_DURATIONS_FILE = '.tmp/durations.json';

/** `durations.json`: milliseconds each test took in one run, keyed by its test-list line. */
export interface DurationsFile {
  version: 1;
  /** `[project] › file › describe › title` (the `--test-list` line) → ms, all attempts summed. */
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
  private rootDir = process.cwd();

  constructor(private readonly options: { outputFile?: string } = {}) {}

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, _suite: Suite): void {
    this.rootDir = config.rootDir;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === 'skipped') return;
    const line = lineOf(test, this.rootDir);
    this.ms.set(line, (this.ms.get(line) ?? 0) + result.duration);
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
