import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter } from '@playwright/test/reporter';
import { scanReports, type CanaryValues } from './canary-scan.ts';

/** Where workers record their planted values for this runner (set by the reporter, read by fixtures/ecosystem.ts). */
export const CANARY_DIR_VAR = 'E2E_CANARY_DIR';

export interface CanaryReporterOptions {
  /** Folder the workers record their planted values in (default `.tmp/canaries/<runner pid>`). */
  dir?: string;
  /** More report files or folders to scan, besides those of the html, json, junit and blob reporters. */
  reports?: string[];
  /** Sink for printed text (tests capture it). */
  log?: (text: string) => void;
}

/**
 * The report half of the whole-run canary sweep (docs/security.md). Each
 * worker records the secret values it planted in its daemons; after the html,
 * json, junit and blob reporters listed before this one have written their
 * files, it looks for every value in them (the HTML report's embedded data and
 * attachments, traces, blob zips included). A hit fails the run, naming the
 * variable and the file; the values themselves are never printed, and the
 * record is deleted once read. A merge of shard reports records no values and
 * scans nothing.
 */
export default class CanaryReporter implements Reporter {
  private readonly dir: string;
  private reports: string[] = [];
  private base = process.cwd();
  hits: string[] = [];

  constructor(private readonly options: CanaryReporterOptions = {}) {
    this.dir = path.resolve(options.dir ?? path.join('.tmp', 'canaries', String(process.pid)));
    // Workers start after the reporters are made, and inherit this; a nested run's own reporter sets its own.
    process.env[CANARY_DIR_VAR] = this.dir;
    rmSync(this.dir, { recursive: true, force: true });
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig): void {
    const base = (this.base = config.configFile ? path.dirname(config.configFile) : config.rootDir);
    const at = (p: string | undefined) => (p ? path.resolve(base, p) : undefined);
    const out: (string | undefined)[] = [];
    for (const [name, opts] of config.reporter) {
      const o = (opts ?? {}) as Record<string, unknown>;
      const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
      if (name === 'html') out.push(at(s('outputFolder') ?? process.env.PLAYWRIGHT_HTML_OUTPUT_DIR ?? 'playwright-report'));
      if (name === 'json' || name === 'junit') out.push(at(s('outputFile') ?? process.env[`PLAYWRIGHT_${name.toUpperCase()}_OUTPUT_FILE`]));
      if (name === 'blob') out.push(at(s('outputDir') ?? process.env.PLAYWRIGHT_BLOB_OUTPUT_DIR ?? 'blob-report'));
    }
    for (const r of this.options.reports ?? []) out.push(at(r));
    this.reports = out.filter((p): p is string => !!p);
  }

  async onEnd(_result: FullResult): Promise<{ status?: FullResult['status'] } | undefined> {
    const values = this.recorded();
    rmSync(this.dir, { recursive: true, force: true });
    if (!values.size) return undefined;
    this.hits = scanReports(this.reports, values, this.base);
    if (!this.hits.length) return undefined;
    const log = this.options.log ?? ((t: string) => console.error(t));
    log(`canary sweep: ${this.hits.length} planted secret value(s) found in the reports:\n  ${this.hits.slice(0, 20).join('\n  ')}`);
    return { status: 'failed' };
  }

  /** Every value the workers of this run recorded. */
  private recorded(): CanaryValues {
    const values: CanaryValues = new Map();
    if (!existsSync(this.dir)) return values;
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        const rec = JSON.parse(readFileSync(path.join(this.dir, f), 'utf8')) as Record<string, string>;
        for (const [v, k] of Object.entries(rec)) values.set(v, k);
      } catch {
        /* a worker killed mid-write: its other records still count */
      }
    }
    return values;
  }
}
