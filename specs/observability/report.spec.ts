import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { test, expect } from '../../fixtures/index.ts';
import { nestedRunBase } from '../../staging/ports.ts';
import { CHROMIUM, CHROMIUM_ARGS, serveReport } from '../../staging/testing/html-report.ts';

/**
 * The HTML report a user opens shows each pipeline test's trace: a nested run
 * of one flow writes a real HTML report, and a real headless Chromium (Debian's
 * `chromium`, `npx playwright install` cannot download browsers offline) opens
 * it and finds the waterfall of that test and its steps' MCP requests.
 */
const TITLE = 'FLW-07 the full pipeline for a weight message passes every runner check';
// Flags for a closed network: without the background-networking ones Chromium keeps dialling Google.

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

test('the HTML report of a flows run shows the pipeline test\'s waterfall and its steps\' MCP requests, in a real Chromium', async ({ ecosystem }) => {
  test.skip(!existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run \`bash scripts/ensure-chromium.sh\` (installs Debian's chromium) or set E2E_CHROMIUM`);
  test.skip(ecosystem.reused, 'runs a nested suite with its own ecosystem; not with E2E_REUSE=1');
  test.setTimeout(240_000);
  const dir = mkdtempSync(path.resolve('.tmp', 'html-report-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const site = await serveReport(dir).catch(async (e) => {
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
