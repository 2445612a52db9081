import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import type { CollectedSpan } from '../staging/collector/otlp-json.ts';
import { otlpTraceRequest } from './otlp-file.ts';
import { SPANS_ATTACHMENT_NAME, SpansAttachment } from './spans-attachment.ts';
import { renderWaterfall } from './waterfall.ts';
import { flakyTests } from './cost-reporter.ts';

export const DEFAULT_TRACE_DIR = 'traces';
/** Above this the run log is too big to read (performance.md): the reporter warns. */
export const RUN_LOG_LIMIT_BYTES = 50 * 1024 * 1024;

export interface TraceReporterOptions {
  /** Folder for the trace files and the index; `E2E_TRACE_DIR` wins over it. Relative to the config folder (default `traces`). */
  outputDir?: string;
  /** Sink for printed text (tests capture it); default console.log / console.error by level. */
  log?: (text: string, level: 'info' | 'warn') => void;
  /** Environment to read (tests inject one); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** One test attempt's trace, as listed in `index.json`. */
export interface TraceIndexEntry {
  project: string;
  file: string;
  line: number;
  title: string;
  retry: number;
  status: string;
  traceId: string;
  spans: number;
  errorSpans: number;
  services: string[];
  durationMs: number;
  /** Paths relative to the index: the OTLP-JSON trace and its waterfall. */
  trace: string;
  waterfall: string;
}

export interface TraceIndex {
  traces: TraceIndexEntry[];
  /** Test attempts that ended without a `spans` attachment (no ecosystem, reuse mode, or nothing traced). */
  withoutSpans: number;
  /** Tests that passed only on a retry: their failed attempts' traces are listed above with `retry` 0. */
  flaky: { count: number; tests: string[] };
  warnings: string[];
}

interface Pending {
  key: string;
  entry: Omit<TraceIndexEntry, 'trace' | 'waterfall'>;
  spans: CollectedSpan[];
}

/**
 * The trace half of the reporters. It reads only the `spans` attachments of
 * each test attempt (zod-checked, `spans-attachment.ts`) and writes, per
 * attempt, the trace as an OTLP-JSON file (post it to Jaeger or Tempo as it is)
 * and its HTML waterfall, plus `index.json` and `index.html` listing every
 * trace with its trace id. It reads attachments only, and orders everything by
 * test location, so a `merge-reports` of shards writes the same files. A
 * missing or malformed attachment, an unwritable folder or an oversized run
 * log is printed as a `trace-reporter: warning:` line; it never fails the run.
 */
export default class TraceReporter implements Reporter {
  private readonly pending: Pending[] = [];
  private readonly warnings: string[] = [];
  private withoutSpans = 0;
  private configDir: string | undefined;
  private lastIndex: TraceIndex | undefined;
  private suite: Suite | undefined;

  constructor(private readonly options: TraceReporterOptions = {}) {}

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite?: Suite): void {
    this.configDir = config.configFile ? path.dirname(config.configFile) : config.rootDir;
    this.suite = suite;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const id = identify(test);
    const attachments = result.attachments.filter((a) => a.name === SPANS_ATTACHMENT_NAME);
    if (!attachments.length) {
      this.withoutSpans++;
      return;
    }
    for (const attachment of attachments) {
      try {
        const text = attachment.body ? attachment.body.toString('utf8') : attachment.path ? readFileSync(attachment.path, 'utf8') : undefined;
        if (text === undefined) throw new Error('it has neither a body nor a path');
        const parsed = SpansAttachment.safeParse(JSON.parse(text));
        if (!parsed.success) {
          const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
          throw new Error(`it does not match the spans schema (reporters/spans-attachment.ts): ${issues}`);
        }
        const spans = parsed.data.spans as CollectedSpan[];
        const t0 = Math.min(...spans.map((s) => s.startMs));
        const t1 = Math.max(...spans.map((s) => s.endMs));
        this.pending.push({
          key: id.key,
          spans,
          entry: {
            project: id.project,
            file: id.file,
            line: id.line,
            title: id.title,
            retry: result.retry,
            status: result.status,
            traceId: parsed.data.traceId,
            spans: spans.length,
            errorSpans: spans.filter((s) => s.status === 'error').length,
            services: [...new Set(spans.map((s) => s.service))].sort(),
            durationMs: spans.length ? Math.round((t1 - t0) * 10) / 10 : 0,
          },
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.warnings.push(`${id.label} (attempt ${result.retry + 1}): ignored a "spans" attachment because ${reason}`);
      }
    }
  }

  onEnd(_result: FullResult): void {
    const env = this.options.env ?? process.env;
    const dir = this.outputDir(env);
    const sorted = [...this.pending].sort((a, b) => cmp(a.entry.project, b.entry.project) || cmp(a.entry.file, b.entry.file) || a.entry.line - b.entry.line || cmp(a.key, b.key) || a.entry.retry - b.entry.retry);
    const traces: TraceIndexEntry[] = [];
    const logWarning = runLogWarning(env);
    const warnings = [...this.warnings, ...(logWarning ? [logWarning] : [])];
    try {
      // Last run's files would mix with this run's: the folder is the reporter's own.
      if (existsSync(path.join(dir, 'index.json'))) rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const p of sorted) {
        const base = `${slug(`${p.entry.project}-${p.entry.title}`)}-${hash(p.key)}-r${p.entry.retry}`;
        const entry: TraceIndexEntry = { ...p.entry, trace: `${base}.json`, waterfall: `${base}.html` };
        writeFileSync(path.join(dir, entry.trace), `${JSON.stringify(otlpTraceRequest(p.spans), null, 1)}\n`);
        writeFileSync(path.join(dir, entry.waterfall), renderWaterfall(p.spans, { title: `[${entry.project}] ${entry.title}`, traceId: entry.traceId }));
        traces.push(entry);
      }
      const flakyList = flakyTests(this.suite);
      const index: TraceIndex = { traces, withoutSpans: this.withoutSpans, flaky: { count: flakyList.length, tests: flakyList }, warnings };
      this.lastIndex = index;
      writeFileSync(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
      writeFileSync(path.join(dir, 'index.html'), renderIndex(index));
      if (flakyList.length) this.print(`trace-reporter: ${flakyList.length} flaky test(s), passed only on retry: ${flakyList.join('; ')}`, 'warn');
      if (traces.length || warnings.length) this.print(`trace-reporter: wrote ${traces.length} trace(s) to ${path.relative(process.cwd(), dir) || dir}/index.html (${this.withoutSpans} test attempt(s) without spans)`, 'info');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      warnings.push(`could not write ${dir}: ${reason} (set E2E_TRACE_DIR to a writable folder)`);
    }
    for (const w of warnings) this.print(`trace-reporter: warning: ${w}`, 'warn');
  }

  /** The index written by the last `onEnd` (for tests). */
  index(): TraceIndex | undefined {
    return this.lastIndex;
  }

  /** env `E2E_TRACE_DIR` (relative to cwd) > option `outputDir` (relative to the config folder) > `traces`. */
  outputDir(env: NodeJS.ProcessEnv = this.options.env ?? process.env): string {
    if (env.E2E_TRACE_DIR) return path.resolve(process.cwd(), env.E2E_TRACE_DIR);
    return path.resolve(this.configDir ?? process.cwd(), this.options.outputDir ?? DEFAULT_TRACE_DIR);
  }

  private print(text: string, level: 'info' | 'warn'): void {
    if (this.options.log) return this.options.log(text, level);
    if (level === 'info') console.log(text);
    else console.error(text);
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const hash = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 8);
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A test's identity from its title path, which `merge-reports` preserves: ['', project, file, ...describes, title]. */
function identify(test: TestCase) {
  const titlePath = test.titlePath();
  const project = test.parent?.project?.()?.name ?? titlePath[1] ?? '';
  const file = titlePath[2] ?? path.basename(test.location?.file ?? '');
  const title = titlePath.slice(3).join(' › ') || test.title;
  return { key: JSON.stringify([project, file, ...titlePath.slice(3)]), project, file, title, line: test.location?.line ?? 0, label: `[${project}] ${file} › ${title}` };
}

/** The run log of this run (E2E_RUN_STAMP) when it outgrew the limit; nothing in a merge, which has no log. */
function runLogWarning(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.E2E_RUN_STAMP) return undefined;
  const file = path.resolve('.tmp/e2e-logs', `e2e-${env.E2E_RUN_STAMP}.log`);
  try {
    const size = statSync(file).size;
    const limit = Number(env.E2E_RUN_LOG_LIMIT_BYTES ?? RUN_LOG_LIMIT_BYTES);
    if (size > limit) return `the run log ${path.relative(process.cwd(), file)} is ${(size / 1048576).toFixed(1)} MB, above the ${(limit / 1048576).toFixed(0)} MB limit: a daemon logs too much`;
  } catch {
    /* no log: a merge, or a run without an ecosystem */
  }
  return undefined;
}

function renderIndex(index: TraceIndex): string {
  const rows = index.traces.map(
    (t) =>
      `<tr class="${t.errorSpans ? 'error' : ''}"><td>${esc(t.project)}</td><td><a href="${esc(t.waterfall)}">${esc(t.title)}</a>${t.retry ? ` (retry ${t.retry})` : ''}</td>` +
      `<td>${esc(t.status)}</td><td><code>${t.traceId}</code></td><td>${t.spans}</td><td>${t.errorSpans}</td><td>${t.durationMs.toFixed(1)} ms</td><td><a href="${esc(t.trace)}">OTLP JSON</a></td></tr>`,
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>Traces</title><style>
body{font:13px system-ui,sans-serif;margin:12px}table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}tr.error td{color:#c00}</style></head><body>
<h1>Traces of this run</h1><p>${index.traces.length} traced test attempt(s), ${index.withoutSpans} without spans.${index.flaky.count ? ` <strong class="flaky">${index.flaky.count} flaky test(s), passed only on retry:</strong> ${index.flaky.tests.map(esc).join('; ')}.` : ''} Search a trace id in Jaeger or Grafana Tempo, or post its OTLP JSON file to an OTLP/HTTP endpoint.</p>
<table><thead><tr><th>project</th><th>test</th><th>status</th><th>trace id</th><th>spans</th><th>errors</th><th>duration</th><th>file</th></tr></thead><tbody>
${rows.join('\n')}</tbody></table></body></html>`;
}
