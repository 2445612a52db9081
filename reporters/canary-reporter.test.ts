import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { FullConfig, FullResult } from '@playwright/test/reporter';
import { strToU8, zipSync } from 'fflate';
import CanaryReporter, { CANARY_DIR_VAR } from './canary-reporter.ts';
import { scanReports } from './canary-scan.ts';

const SECRET = 'canary-0123456789abcdef0123456789abcdef';
const TOKEN = 'ghp_00112233445566778899aabbccddeeff0011';
const values = new Map([[SECRET, 'E2E_CANARY_SECRET'], [TOKEN, 'GITHUB_TOKEN']]);

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'canary-reporter-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An index.html the way the HTML reporter writes it: its data as a base64 zip. */
function htmlReport(folder: string, files: Record<string, string>): void {
  mkdirSync(path.join(folder, 'data'), { recursive: true });
  const zip = Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])))).toString('base64');
  writeFileSync(path.join(folder, 'index.html'), `<html><script>window.playwrightReportBase64 = "data:application/zip;base64,${zip}";</script></html>`);
}

test('scanReports finds a value inside the HTML report\'s embedded data, naming the variable and the entry', () => {
  const report = path.join(dir, 'playwright-report');
  htmlReport(report, { 'report.json': '{}', 'abc.json': JSON.stringify({ stdout: [`token=${TOKEN}`] }) });
  const hits = scanReports([report], values, dir);
  expect(hits).toEqual(['GITHUB_TOKEN value in playwright-report/index.html (embedded report data) › abc.json']);
  expect(hits.join('\n')).not.toContain(TOKEN);
});

test('scanReports reads attachments, zipped traces and the JSON report; a clean report and a missing path give no hit', () => {
  const report = path.join(dir, 'playwright-report');
  htmlReport(report, { 'report.json': '{"ok":true}' });
  expect(scanReports([report, path.join(dir, 'nowhere')], values, dir)).toEqual([]);

  writeFileSync(path.join(report, 'data', 'att.txt'), `x ${SECRET} y`);
  writeFileSync(path.join(report, 'data', 'trace.zip'), zipSync({ 'trace.network': strToU8(`Authorization: ${TOKEN}`) }));
  writeFileSync(path.join(dir, 'report.json'), JSON.stringify({ errors: [SECRET] }));
  const hits = scanReports([report, path.join(dir, 'report.json')], values, dir).sort();
  expect(hits).toEqual([
    'E2E_CANARY_SECRET value in playwright-report/data/att.txt',
    'E2E_CANARY_SECRET value in report.json',
    'GITHUB_TOKEN value in playwright-report/data/trace.zip › trace.network',
  ]);
});

function config(reporters: FullConfig['reporter']): FullConfig {
  return { configFile: path.join(dir, 'playwright.config.ts'), rootDir: dir, reporter: reporters } as unknown as FullConfig;
}

test('the reporter fails the run when a recorded value is in a configured report, and deletes the record', async () => {
  const lines: string[] = [];
  const record = path.join(dir, 'canaries');
  const saved = process.env[CANARY_DIR_VAR];
  try {
    const reporter = new CanaryReporter({ dir: record, log: (t) => lines.push(t) });
    expect(process.env[CANARY_DIR_VAR]).toBe(record);
    reporter.onBegin(config([['html', { outputFolder: 'html' }], ['json', { outputFile: 'out/r.json' }]]));
    mkdirSync(record);
    writeFileSync(path.join(record, 'w0-1.json'), JSON.stringify(Object.fromEntries(values)));
    mkdirSync(path.join(dir, 'out'));
    writeFileSync(path.join(dir, 'out', 'r.json'), JSON.stringify({ stdout: `leaked ${SECRET}` }));
    htmlReport(path.join(dir, 'html'), { 'report.json': '{}' });

    const verdict = await reporter.onEnd({ status: 'passed' } as FullResult);
    expect(verdict).toEqual({ status: 'failed' });
    expect(lines.join('\n')).toContain('E2E_CANARY_SECRET value in out/r.json');
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(existsSync(record)).toBe(false);

    // Clean reports, or nothing recorded (a merge of shard reports): the run's verdict stands.
    const clean = new CanaryReporter({ dir: record, log: (t) => lines.push(t) });
    clean.onBegin(config([['html', { outputFolder: 'html' }]]));
    mkdirSync(record);
    writeFileSync(path.join(record, 'w0-1.json'), JSON.stringify(Object.fromEntries(values)));
    expect(await clean.onEnd({ status: 'passed' } as FullResult)).toBeUndefined();
    const none = new CanaryReporter({ dir: record });
    none.onBegin(config([['json', { outputFile: 'out/r.json' }]]));
    expect(await none.onEnd({ status: 'passed' } as FullResult)).toBeUndefined();
  } finally {
    if (saved === undefined) delete process.env[CANARY_DIR_VAR];
    else process.env[CANARY_DIR_VAR] = saved;
  }
});
