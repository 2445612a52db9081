import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import type { FullConfig, FullResult, TestCase, TestResult } from '@playwright/test/reporter';
import TraceReporter, { type TraceIndex } from './trace-reporter.ts';

const run = promisify(execFile);
const SUITE = path.resolve('reporters/fixtures/trace-suite');
const REPORTER = path.resolve('reporters/trace-reporter.ts');
const CLI = path.resolve('node_modules/@playwright/test/cli.js');

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'trace-reporter-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The nested suite's environment: the outer run's worker variables removed, its own reporter and folders. */
function suiteEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of Object.keys(env)) if (k.startsWith('TEST_') || k === 'E2E_RUN_STAMP' || k.startsWith('PLAYWRIGHT_')) delete env[k];
  return { ...env, ...extra };
}

const files = (d: string) => Object.fromEntries(readdirSync(d).sort().map((f) => [f, readFileSync(path.join(d, f), 'utf8')]));

test.describe('trace reporter on a real run', () => {
  test.describe.configure({ timeout: 90_000 });

  test('writes an OTLP-JSON trace and a waterfall per traced test, an index naming each trace id, and survives missing and malformed attachments; merged shards give the same files', async () => {
    const whole = path.join(dir, 'whole');
    const out = await run(process.execPath, [CLI, 'test', '-c', SUITE], { cwd: SUITE, env: suiteEnv({ TRACE_SUITE_REPORTER: REPORTER, E2E_TRACE_DIR: whole }) });
    expect(out.stderr).toContain('ignored a "spans" attachment because it does not match the spans schema');

    const index = JSON.parse(readFileSync(path.join(whole, 'index.json'), 'utf8')) as TraceIndex;
    expect(index.traces.map((t) => t.title)).toEqual(['alpha logs a weight', 'beta logs a weight', 'delta logs a weight', 'gamma fails a tool']);
    expect(index.withoutSpans).toBe(1);
    expect(index.warnings).toEqual([expect.stringContaining('zeta has a malformed attachment')]);
    const gamma = index.traces.find((t) => t.title.startsWith('gamma'))!;
    expect(gamma).toMatchObject({ spans: 3, errorSpans: 1, services: ['butler-health', 'butler-relationship', 'e2e-harness'], status: 'passed' });

    // The trace file is an OTLP/JSON export request: one resource per service, ids and parentage kept.
    const otlp = JSON.parse(readFileSync(path.join(whole, gamma.trace), 'utf8'));
    const services = otlp.resourceSpans.map((r: any) => r.resource.attributes[0].value.stringValue);
    expect(services).toEqual(['e2e-harness', 'butler-health', 'butler-relationship']);
    const all = otlp.resourceSpans.flatMap((r: any) => r.scopeSpans[0].spans);
    expect(new Set(all.map((s: any) => s.traceId))).toEqual(new Set([gamma.traceId]));
    const failed = all.find((s: any) => s.name === 'tool:contact_delete');
    expect(failed.status).toEqual({ code: 2, message: 'boom' });
    expect(failed.parentSpanId).toBe(all.find((s: any) => s.name === 'e2e').spanId);
    expect(BigInt(failed.endTimeUnixNano) - BigInt(failed.startTimeUnixNano)).toBe(5_500_000n);
    expect(failed.attributes).toContainEqual({ key: 'n', value: { intValue: '2' } });

    const waterfall = readFileSync(path.join(whole, gamma.waterfall), 'utf8');
    expect(waterfall).toContain(gamma.traceId);
    expect(waterfall).toMatch(/class="span error"[^>]*data-service="butler-relationship"/);
    expect(readFileSync(path.join(whole, 'index.html'), 'utf8')).toContain(`href="${gamma.waterfall}"`);

    // Two shards as blob reports, merged: byte-identical artifacts.
    const blobs = path.join(dir, 'blobs');
    for (const shard of ['1/2', '2/2']) {
      await run(process.execPath, [CLI, 'test', '-c', SUITE, `--shard=${shard}`], { cwd: SUITE, env: suiteEnv({ PLAYWRIGHT_BLOB_OUTPUT_DIR: blobs, PWTEST_BLOB_DO_NOT_REMOVE: '1' }) });
    }
    expect(readdirSync(blobs).filter((f) => f.endsWith('.zip'))).toHaveLength(2);
    const merged = path.join(dir, 'merged');
    await run(process.execPath, [CLI, 'merge-reports', '-c', path.join(SUITE, 'playwright.config.ts'), '--reporter', REPORTER, blobs], { cwd: SUITE, env: suiteEnv({ E2E_TRACE_DIR: merged }) });
    expect(files(merged)).toEqual(files(whole));
  });
});

function fakeTest(title: string, line = 1): TestCase {
  return { title, titlePath: () => ['', 'observability', 'x.spec.ts', title], location: { file: '/repo/x.spec.ts', line, column: 1 }, parent: { project: () => ({ name: 'observability' }) } } as unknown as TestCase;
}
const fakeResult = (attachments: TestResult['attachments']) => ({ retry: 0, status: 'failed', attachments }) as unknown as TestResult;

test('a spans attachment whose file is gone, or an unwritable folder, is a warning, never a thrown error', () => {
  const lines: string[] = [];
  const blocked = path.join(dir, 'a-file');
  writeFileSync(blocked, 'not a folder');
  const reporter = new TraceReporter({ log: (t) => lines.push(t), env: { E2E_TRACE_DIR: path.join(blocked, 'traces') } });
  reporter.onBegin({ rootDir: dir } as FullConfig);
  reporter.onTestEnd(fakeTest('gone'), fakeResult([{ name: 'spans', contentType: 'application/json', path: path.join(dir, 'missing.json') }]));
  expect(() => reporter.onEnd({ status: 'passed' } as FullResult)).not.toThrow();
  expect(lines.join('\n')).toContain('trace-reporter: warning: [observability] x.spec.ts › gone (attempt 1): ignored a "spans" attachment because ENOENT');
  expect(lines.join('\n')).toContain('could not write');
});
