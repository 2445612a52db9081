import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { CostAttachment, COST_ATTACHMENT_NAME } from './cost-attachment.ts';
import { resolveBudgetLimits, type BudgetOptions } from './budgets.ts';
import { summarizeCost, type CostRecord, type CostSummary } from './cost-summary.ts';
import { formatBudgets, formatSummaryBox, formatTestTable } from './cost-format.ts';

export const DEFAULT_COST_FILE = 'cost-summary.json';

/** Options of `['./reporters/cost-reporter.ts', { ... }]` in playwright.config.ts. */
export interface CostReporterOptions extends BudgetOptions {
  /** Where to write the summary; `E2E_COST_FILE` wins over it. Relative to the config folder. */
  outputFile?: string;
  /** Folder for the default `cost-summary.json` when no file is named, relative to the config folder (default: cwd). */
  outputDir?: string;
  /** Mode assumed when no attachment says (default: `E2E_MODEL` or `double`). */
  mode?: 'double' | 'live';
  /** Sink for printed text (tests capture it); default console.log / console.error by level. */
  log?: (text: string, level: 'info' | 'warn' | 'error') => void;
  /** Environment to read (tests inject one); default process.env, read when needed. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads the `cost` attachments of every test attempt, prints the summary box
 * and per-test table, writes `cost-summary.json`, and in live mode fails the
 * run when a budget is exceeded. It reads attachments only, so a sharded run
 * merged with `playwright merge-reports` gives the same totals. Every attempt
 * counts (retries really spent tokens). Its own problems — a malformed
 * attachment, an unwritable file — are printed as warnings, never dropped.
 */
export default class CostReporter implements Reporter {
  private readonly records: CostRecord[] = [];
  private readonly warnings: string[] = [];
  private configDir: string | undefined;
  private lastSummary: CostSummary | undefined;
  private suite: Suite | undefined;

  constructor(private readonly options: CostReporterOptions = {}) {}

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite?: Suite): void {
    this.configDir = config.configFile ? path.dirname(config.configFile) : config.rootDir;
    this.suite = suite;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const where = describeTest(test);
    for (const attachment of result.attachments) {
      if (attachment.name !== COST_ATTACHMENT_NAME) continue;
      try {
        const text = attachment.body
          ? attachment.body.toString('utf8')
          : attachment.path
            ? readFileSync(attachment.path, 'utf8')
            : undefined;
        if (text === undefined) throw new Error('it has neither a body nor a path');
        const parsed = CostAttachment.safeParse(JSON.parse(text));
        if (!parsed.success) {
          const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
          throw new Error(`it does not match the cost schema (reporters/cost-attachment.ts): ${issues}`);
        }
        this.records.push({ ...where, retry: result.retry, attachment: parsed.data });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.warnings.push(`${where.label} (attempt ${result.retry + 1}): ignored a "cost" attachment because ${reason}`);
      }
    }
  }

  async onEnd(_result: FullResult): Promise<{ status?: FullResult['status'] } | undefined> {
    const env = this.options.env ?? process.env;
    const { limits, warnings } = resolveBudgetLimits(this.options, env);
    const fallbackMode = this.options.mode ?? (env.E2E_MODEL === 'live' ? 'live' : 'double');
    const summary = summarizeCost(this.records, limits, fallbackMode, [...this.warnings, ...warnings]);
    const flaky = flakyTests(this.suite);
    if (flaky.length) summary.flaky = { count: flaky.length, tests: flaky };
    this.lastSummary = summary;

    this.print(`\n${formatSummaryBox(summary)}\n\n${formatTestTable(summary)}\n`, 'info');
    if (flaky.length) this.print(`cost-reporter: ${flaky.length} flaky test(s), passed only on retry (their every attempt is counted above):\n  ${flaky.join('\n  ')}`, 'warn');
    for (const warning of summary.warnings) this.print(`cost-reporter: warning: ${warning}`, 'warn');
    const file = this.outputPath(env);
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
      this.print(`cost-reporter: wrote ${file}`, 'info');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.print(`cost-reporter: warning: could not write ${file}: ${reason} (set E2E_COST_FILE to a writable path)`, 'warn');
    }

    const { failures, notes } = formatBudgets(summary);
    for (const note of notes) this.print(`cost-reporter: ${note}`, 'info');
    if (failures.length === 0) return undefined;
    for (const failure of failures) this.print(`cost-reporter: ${failure}`, 'error');
    return { status: 'failed' };
  }

  /** The summary computed by the last `onEnd` (for tests and composing tools). */
  summary(): CostSummary | undefined {
    return this.lastSummary;
  }

  /** env `E2E_COST_FILE` (relative to cwd) > option `outputFile` (relative to the config folder) > `<outputDir or cwd>/cost-summary.json`. */
  outputPath(env: NodeJS.ProcessEnv = this.options.env ?? process.env): string {
    if (env.E2E_COST_FILE) return path.resolve(process.cwd(), env.E2E_COST_FILE);
    if (this.options.outputFile) return path.resolve(this.configDir ?? process.cwd(), this.options.outputFile);
    const dir = this.options.outputDir ? path.resolve(this.configDir ?? process.cwd(), this.options.outputDir) : process.cwd();
    return path.join(dir, DEFAULT_COST_FILE);
  }

  private print(text: string, level: 'info' | 'warn' | 'error'): void {
    if (this.options.log) return this.options.log(text, level);
    if (level === 'info') console.log(text);
    else console.error(text);
  }
}

/** Tests whose outcome is flaky (failed, then passed on a retry), as `[project] file › title`, sorted; merge-reports keeps every attempt, so shards merged give the same list. */
export function flakyTests(suite: Suite | undefined): string[] {
  if (!suite) return [];
  return suite
    .allTests()
    .filter((t) => t.outcome() === 'flaky')
    .map((t) => describeTest(t).label)
    .sort();
}

/** A test's identity from its title path, which `merge-reports` preserves: ['', project, file, ...describes, title]. */
function describeTest(test: TestCase): Omit<CostRecord, 'retry' | 'attachment'> & { label: string } {
  const titlePath = test.titlePath();
  const project = test.parent?.project?.()?.name ?? titlePath[1] ?? '';
  const file = titlePath[2] ?? path.basename(test.location?.file ?? '');
  const title = titlePath.slice(3).join(' › ') || test.title;
  return {
    key: JSON.stringify([project, file, ...titlePath.slice(3)]),
    title,
    project,
    file,
    line: test.location?.line ?? 0,
    label: `[${project}] ${file} › ${title}`,
  };
}
