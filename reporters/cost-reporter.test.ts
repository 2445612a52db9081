import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { FullConfig, FullResult, TestCase, TestResult } from '@playwright/test/reporter';
import CostReporter, { type CostReporterOptions } from './cost-reporter.ts';
import { costAttachmentFrom, type CostAttachment } from './cost-attachment.ts';

type Line = { text: string; level: string };

function session(model: string, input: number, output: number, id = `s-${input}-${output}`) {
  return { butler: 'health', session_id: id, kind: 'task', model, input_tokens: input, output_tokens: output, api_requests: 2 };
}

function fakeTest(project: string, title: string, line = 1, file = 'specs/x.spec.ts'): TestCase {
  return {
    title,
    titlePath: () => ['', project, file, title],
    location: { file: `/repo/${file}`, line, column: 1 },
    parent: { project: () => ({ name: project }) },
  } as unknown as TestCase;
}

function fakeResult(attachments: TestResult['attachments'], retry = 0): TestResult {
  return { retry, status: 'passed', attachments } as unknown as TestResult;
}

const json = (att: unknown) => ({ name: 'cost', contentType: 'application/json', body: Buffer.from(JSON.stringify(att)) });

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cost-reporter-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

function reporter(options: CostReporterOptions = {}): { r: CostReporter; lines: Line[] } {
  const lines: Line[] = [];
  const r = new CostReporter({ env: {}, outputDir: dir, log: (text, level) => lines.push({ text, level }), ...options });
  r.onBegin({ configFile: path.join(dir, 'playwright.config.ts'), rootDir: dir } as FullConfig);
  return { r, lines };
}

const end = (r: CostReporter) => r.onEnd({ status: 'passed' } as FullResult);
const text = (lines: Line[], level?: string) => lines.filter((l) => !level || l.level === level).map((l) => l.text).join('\n');

test.describe('cost reporter', () => {
  test('totals, per-test rows and the summary box from double attachments', async () => {
    const { r, lines } = reporter();
    r.onTestEnd(fakeTest('flows', 'health-weight-log', 20), fakeResult([json(costAttachmentFrom([session('claude-haiku-4-5-20251001', 1500, 300), session('claude-haiku-4-5-20251001', 2000, 500)], 'double'))]));
    r.onTestEnd(fakeTest('flows', 'switchboard-classify-health', 10), fakeResult([json(costAttachmentFrom([session('claude-haiku-4-5-20251001', 6000, 1000)], 'double'))]));
    r.onTestEnd(fakeTest('smoke', 'no llm here'), fakeResult([{ name: 'log', contentType: 'text/plain', body: Buffer.from('x') }]));
    expect(await end(r)).toBeUndefined();

    const s = r.summary()!;
    expect(s.totals).toMatchObject({ tests: 2, attempts: 2, calls: 3, api_requests: 6, input_tokens: 9500, output_tokens: 1800 });
    expect(s.totals.cost_usd).toBeCloseTo((9500 * 1 + 1800 * 5) / 1e6, 12);
    expect(s.totals.cost_usd_seed).toBeCloseTo((9500 * 0.8 + 1800 * 4) / 1e6, 12);
    expect(s.tests.map((t) => [t.title, t.calls, t.input_tokens, t.output_tokens, t.cost_usd])).toEqual([
      ['switchboard-classify-health', 1, 6000, 1000, 0.011],
      ['health-weight-log', 2, 3500, 800, 0.0075],
    ]);
    const out = text(lines, 'info');
    for (const label of ['LLM calls', 'API requests', 'Input tokens', 'Output tokens', 'Estimated cost', 'Mode', 'synthetic']) {
      expect(out).toContain(label);
    }
    expect(out).toMatch(/Input tokens\s+9,500/);
    expect(out).toMatch(/\[flows\] health-weight-log\s+2\s+3,500\s+0\s+800\s+\$0\.0075/);
  });

  test('writes cost-summary.json to the option path, and E2E_COST_FILE wins over it', async () => {
    const att = json(costAttachmentFrom([session('claude-haiku-4-5-20251001', 100, 10)], 'double'));
    const viaOption = reporter({ outputFile: 'out/option.json' });
    viaOption.r.onTestEnd(fakeTest('flows', 'a'), fakeResult([att]));
    await end(viaOption.r);
    const written = JSON.parse(readFileSync(path.join(dir, 'out/option.json'), 'utf8'));
    expect(written.totals).toMatchObject({ calls: 1, input_tokens: 100, output_tokens: 10 });

    const envFile = path.join(dir, 'env', 'cost.json');
    const viaEnv = reporter({ outputFile: 'out/ignored.json', env: { E2E_COST_FILE: envFile } });
    viaEnv.r.onTestEnd(fakeTest('flows', 'a'), fakeResult([att]));
    await end(viaEnv.r);
    expect(JSON.parse(readFileSync(envFile, 'utf8')).totals.calls).toBe(1);
    expect(existsSync(path.join(dir, 'out/ignored.json'))).toBe(false);

    const byDefault = reporter();
    await end(byDefault.r);
    expect(JSON.parse(readFileSync(path.join(dir, 'cost-summary.json'), 'utf8')).totals.calls).toBe(0);
  });

  test('INF-09 live spend over the whole-suite budget fails the run naming the budget and the total', async () => {
    const { r, lines } = reporter();
    r.onTestEnd(fakeTest('contracts', 'expensive'), fakeResult([json(costAttachmentFrom([session('claude-haiku-4-5-20251001', 9000, 200_000)], 'live'))]));
    expect(await end(r)).toEqual({ status: 'failed' });
    const errors = text(lines, 'error');
    expect(errors).toContain('whole-suite budget $1.0000 (default) exceeded: total $1.0090');
    expect(text(lines, 'info')).not.toContain('synthetic');
  });

  test('INF-09 live smoke+flows over $0.20, E2E_BUDGET_USD and the 10,000 input-token limit fail the run', async () => {
    const core = reporter();
    core.r.onTestEnd(fakeTest('flows', 'f'), fakeResult([json(costAttachmentFrom([session('claude-haiku-4-5-20251001', 5000, 40_000)], 'live'))]));
    expect(await end(core.r)).toEqual({ status: 'failed' });
    expect(text(core.lines, 'error')).toContain('smoke+flows budget $0.2000 exceeded: total $0.2050');

    const env = reporter({ env: { E2E_BUDGET_USD: '0.01' } });
    env.r.onTestEnd(fakeTest('state', 's'), fakeResult([json(costAttachmentFrom([session('claude-haiku-4-5-20251001', 5000, 2000)], 'live'))]));
    expect(await end(env.r)).toEqual({ status: 'failed' });
    expect(text(env.lines, 'error')).toContain('whole-suite budget $0.0100 (E2E_BUDGET_USD) exceeded: total $0.0150');

    const tokens = reporter();
    // The limit is 10,000 per session: two sessions may read 20,000 together, and neither more than 10,000.
    tokens.r.onTestEnd(fakeTest('flows', 'bloated'), fakeResult([json(costAttachmentFrom([session('m', 6000, 1), session('claude-haiku-4-5-20251001', 14001, 1)], 'live'))]));
    expect(await end(tokens.r)).toEqual({ status: 'failed' });
    expect(text(tokens.lines, 'error')).toContain('per-test limit of 10,000 input tokens per session (2 sessions: 20,000) exceeded: [flows] bloated used 20,001');
    expect(text(tokens.lines, 'error')).toMatch(/per-session limit of 10,000 input tokens exceeded: \[flows\] bloated, health session \S+ used 14,001/);
    const single = reporter();
    single.r.onTestEnd(fakeTest('flows', 'one-bloated-session'), fakeResult([json(costAttachmentFrom([session('claude-haiku-4-5-20251001', 10_001, 1)], 'live'))]));
    expect(await end(single.r)).toEqual({ status: 'failed' });
    expect(text(single.lines, 'error')).toContain('per-test limit of 10,000 input tokens exceeded: [flows] one-bloated-session used 10,001');
    expect(text(tokens.lines, 'warn')).toContain('model "m" is not in reporters/prices.ts');
  });

  test('INF-09 synthetic (double) totals never fail, however large', async () => {
    const { r, lines } = reporter({ env: { E2E_BUDGET_USD: '0' } });
    r.onTestEnd(fakeTest('flows', 'big'), fakeResult([json(costAttachmentFrom([session('claude-haiku-4-5-20251001', 50_000, 900_000)], 'double'))]));
    expect(await end(r)).toBeUndefined();
    expect(text(lines, 'error')).toBe('');
    expect(text(lines, 'info')).toContain('not enforced in double mode');
    expect(r.summary()!.budgets.every((b) => !b.enforced)).toBe(true);
  });

  test('a malformed attachment is reported as a warning and not counted; path attachments are read', async () => {
    const good = costAttachmentFrom([session('claude-haiku-4-5-20251001', 100, 10)], 'double');
    const file = path.join(dir, 'cost.json');
    writeFileSync(file, JSON.stringify(good));
    const { r, lines } = reporter();
    r.onTestEnd(fakeTest('flows', 'bad'), fakeResult([
      { name: 'cost', contentType: 'application/json', body: Buffer.from('{not json') },
      json({ ...good, input_tokens: 999 }),
      json({ ...good, sessions: [{ ...good.sessions[0], input_tokens: '100' }] }),
      { name: 'cost', contentType: 'application/json' },
      { name: 'cost', contentType: 'application/json', path: file },
    ]));
    await end(r);
    expect(r.summary()!.totals).toMatchObject({ calls: 1, input_tokens: 100 });
    const warnings = lines.filter((l) => l.level === 'warn').map((l) => l.text);
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toContain('[flows] specs/x.spec.ts › bad (attempt 1): ignored a "cost" attachment because');
    expect(warnings[1]).toContain('input_tokens is 999 but its sessions sum to 100');
    expect(warnings[2]).toContain('sessions.0.input_tokens: Expected number, received string');
    expect(warnings[3]).toContain('neither a body nor a path');
    expect(r.summary()!.warnings).toHaveLength(4);
  });

  test('retries count every attempt; shard order and splitting do not change the totals', async () => {
    const att = (i: number, o: number) => json(costAttachmentFrom([session('claude-haiku-4-5-20251001', i, o), session('claude-3-5-haiku-20241022', o, i)], 'live'));
    const events: [TestCase, TestResult][] = [
      [fakeTest('flows', 't1', 1), fakeResult([att(1234, 567)], 0)],
      [fakeTest('flows', 't1', 1), fakeResult([att(1111, 222)], 1)],
      [fakeTest('state', 't2', 5, 'specs/state/b.spec.ts'), fakeResult([att(3333, 17)])],
      [fakeTest('contracts', 't3', 9, 'specs/contracts/c.spec.ts'), fakeResult([att(7, 8888)])],
    ];
    const unsharded = reporter({ outputFile: 'a.json' });
    for (const [t, res] of events) unsharded.r.onTestEnd(t, res);
    await end(unsharded.r);
    const merged = reporter({ outputFile: 'b.json' });
    for (const [t, res] of [...events].reverse()) merged.r.onTestEnd(t, res);
    await end(merged.r);

    expect(readFileSync(path.join(dir, 'b.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'a.json'), 'utf8'));
    const s = unsharded.r.summary()!;
    expect(s.totals).toMatchObject({ tests: 3, attempts: 4, calls: 8 });
    expect(s.tests.find((t) => t.title === 't1')).toMatchObject({ attempts: 2, input_tokens: 1234 + 567 + 1111 + 222 });
  });

  test('an unwritable output path is reported, and the run is not failed for it', async () => {
    writeFileSync(path.join(dir, 'blocker'), 'x');
    const { r, lines } = reporter({ outputFile: 'blocker/cost.json' });
    expect(await end(r)).toBeUndefined();
    expect(text(lines, 'warn')).toContain('could not write');
  });
});
