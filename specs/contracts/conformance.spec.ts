import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, test } from '../../fixtures/index.ts';
import { discoverRoster, rosterDir } from '../../staging/roster.ts';

/**
 * Protocol conformance of every butler's `/mcp` (docs/contracts.md,
 * Conformance): the server scenarios of the official MCP conformance suite
 * (`@modelcontextprotocol/conformance`, pinned), run against each butler's
 * real port. Scenarios that need features a tool-only butler does not offer
 * (resources, prompts, completion, logging, the suite's own test tools) are in
 * `conformance-expected-failures.yml` with the reason for each; the suite
 * itself fails the run when a listed scenario starts passing (a stale entry)
 * or an unlisted one fails.
 */
const CLI = createRequire(import.meta.url).resolve('@modelcontextprotocol/conformance/dist/index.js');
const BASELINE = path.resolve('specs/contracts/conformance-expected-failures.yml');

interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO';
  errorMessage?: string;
}

function runSuite(url: string, outDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'server', '--url', url, '--suite', 'all', '-o', outDir, '--expected-failures', BASELINE], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Every scenario's checks, from the suite's `server-<scenario>-<time>/checks.json` folders. */
function readChecks(outDir: string): Map<string, Check[]> {
  const out = new Map<string, Check[]>();
  if (!existsSync(outDir)) return out;
  for (const d of readdirSync(outDir)) {
    const m = /^server-(.+)-\d{4}-\d\d-\d\dT/.exec(d);
    const file = path.join(outDir, d, 'checks.json');
    if (m && existsSync(file)) out.set(m[1], JSON.parse(readFileSync(file, 'utf8')) as Check[]);
  }
  return out;
}

/** The scenarios the baseline lists as expected to fail. */
function expectedFailures(): Set<string> {
  const text = readFileSync(BASELINE, 'utf8');
  return new Set([...text.matchAll(/^\s+-\s+([a-z0-9-]+)\s*(#.*)?$/gm)].map((m) => m[1]));
}

// The scenarios every butler must pass: the lifecycle a tool server has.
const REQUIRED = ['server-initialize', 'ping', 'tools-list', 'server-sse-multiple-streams', 'dns-rebinding-protection'];

for (const entry of discoverRoster(rosterDir())) {
  test(`${entry.name} passes the MCP conformance server scenarios that apply to a tool server`, async ({ ecosystem }, testInfo) => {
    test.skip(ecosystem.reused, 'attached to a held ecosystem (E2E_REUSE=1); conformance needs a butler this run owns');
    test.setTimeout(150_000);
    const butler = ecosystem.butlers[entry.name];
    const outDir = testInfo.outputPath('conformance');
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    const { code, output } = await runSuite(butler.url, outDir);
    await testInfo.attach('conformance-output', { body: output, contentType: 'text/plain' });
    const checks = readChecks(outDir);
    const expected = expectedFailures();
    const bad = (cs: Check[]) => cs.some((c) => c.status === 'FAILURE' || c.status === 'WARNING');
    const failing = [...checks].filter(([, cs]) => bad(cs)).map(([s]) => s);
    const summary = [...checks].map(([s, cs]) => `${s}: ${bad(cs) ? 'fail' : 'pass'}`).sort();
    const unlisted = failing.filter((s) => !expected.has(s)).length;
    console.log(`conformance ${entry.name}: ${checks.size} scenarios, ${checks.size - failing.length} passed, ${failing.length - unlisted} failed as listed (not applicable), ${unlisted} failed unexpectedly`);
    for (const s of REQUIRED) {
      const cs = checks.get(s);
      expect(cs, `scenario ${s} did not run; suite output:\n${output.slice(-2000)}`).toBeDefined();
      expect(cs!.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${c.errorMessage}`), `${entry.name} fails ${s}`).toEqual([]);
    }
    expect(failing.filter((s) => !expected.has(s)), `failing scenarios not in ${path.basename(BASELINE)}`).toEqual([]);
    expect([...expected].filter((s) => checks.has(s) && !failing.includes(s)), `stale entries of ${path.basename(BASELINE)}: they pass now; remove them`).toEqual([]);
    expect(code, `the suite's own verdict (exit code); summary:\n${summary.join('\n')}\n${output.slice(-1500)}`).toBe(0);
  });
}
