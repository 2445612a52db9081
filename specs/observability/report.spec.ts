import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { test, expect } from '../../fixtures/index.ts';
import { nestedRunBase } from '../../staging/ports.ts';

/**
 * The HTML report a user opens shows each pipeline test's trace: a nested run
 * of one flow writes a real HTML report, and a real headless Chromium (Debian's
 * `chromium`, `npx playwright install` cannot download browsers offline) opens
 * it and finds the waterfall of that test and its steps' MCP requests.
 */
const TITLE = 'FLW-07 the full pipeline for a weight message passes every runner check';
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
// Flags for a closed network: without the background-networking ones Chromium keeps dialling Google.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function nestedHtmlReport(dir: string): Promise<string> {
  const child = spawn(
    process.execPath,
    ['node_modules/@playwright/test/cli.js', 'test', '--project=flows', '--no-deps', '-g', TITLE, '--reporter=html', '--workers=1'],
    { env: { ...process.env, E2E_PORT_BASE: String(nestedRunBase('b')), PLAYWRIGHT_HTML_OUTPUT_DIR: dir, PLAYWRIGHT_HTML_OPEN: 'never', E2E_CANARY_SWEEP: '0' } },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  expect(code, `the nested flows run failed:\n${out.slice(-3000)}`).toBe(0);
  return out;
}

/** Serves the report folder over HTTP, as `npx playwright show-report` does. */
async function serve(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(dir, rel);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

test('the HTML report of a flows run shows the pipeline test\'s waterfall and its steps\' MCP requests, in a real Chromium', async ({ ecosystem }) => {
  test.skip(!existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run \`bash scripts/ensure-chromium.sh\` (installs Debian's chromium) or set E2E_CHROMIUM`);
  test.skip(ecosystem.reused, 'runs a nested suite with its own ecosystem; not with E2E_REUSE=1');
  test.setTimeout(240_000);
  const dir = mkdtempSync(path.resolve('.tmp', 'html-report-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const site = await serve(dir).catch(async (e) => {
    await browser.close();
    throw e;
  });
  try {
    await test.step('nested flows run writes an HTML report', () => nestedHtmlReport(dir));
    const page = await browser.newPage();
    await page.goto(site.url);
    await page.getByText(TITLE).first().click();

    // The steps tell the story: each pipeline stage with its request and response.
    await expect(page.getByText('ingest', { exact: false }).first()).toBeVisible();
    const attachments = page.locator('a, span, div').filter({ hasText: /^waterfall$/ });
    await expect(attachments.first()).toBeVisible();
    for (const stage of ['ingest', 'classify', 'dispatch']) {
      await expect(page.getByText(`switchboard ${stage} request`).first(), `no "${stage}" request attachment in the report`).toBeAttached();
    }

    // The waterfall attachment opens as its own page.
    const link = page.getByRole('link', { name: 'waterfall', exact: true });
    const [waterfall] = await Promise.all([page.context().waitForEvent('page', { timeout: 15_000 }), link.click()]);
    await waterfall.waitForLoadState();
    await expect(waterfall.locator('h1.waterfall')).toHaveText(`Trace waterfall: ${TITLE}`);
    await expect(waterfall.locator('#trace-id')).toHaveText(/^[0-9a-f]{32}$/);
    const rows = waterfall.locator('tr.span');
    const names = await rows.locator('td.name').allInnerTexts();
    expect(names[0]?.trim(), 'the harness root span heads the waterfall').toBe(`e2e ${TITLE}`);
    for (const name of ['switchboard.ingest', 'switchboard.classify', 'switchboard.dispatch', 'switchboard.route', 'tool:measurement_log']) {
      expect(names.map((n) => n.trim()), `the waterfall lists no ${name} span`).toContain(name);
    }
    const services = new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-service'))));
    expect([...services]).toEqual(expect.arrayContaining(['butler-switchboard', 'butler-health', 'butler-health-session']));
    // Every row has a bar on the time axis.
    expect(await waterfall.locator('tr.span .bar').count()).toBe(await rows.count());
  } finally {
    await browser.close();
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
