#!/usr/bin/env node
// `npm test`: typecheck, then every Playwright project (unit first by name order
// of dependencies), then one plain summary line computed from the JSON report.
// Extra arguments go to `playwright test` (e.g. `npm test -- --workers=2`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { leftovers } from './leftovers.mjs';

const report = path.resolve(process.env.E2E_JSON_REPORT ?? '.tmp/report.json');
mkdirSync(path.dirname(report), { recursive: true });
rmSync(report, { force: true });

const step = (label, cmd, args, env = process.env) => {
  console.log(`\n▶ ${label}: ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, { stdio: 'inherit', env });
  return res.status ?? 1;
};

const tsc = step('typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json']);
if (tsc !== 0) {
  console.log('typecheck failed: fix the errors above (npx tsc --noEmit -p tsconfig.json)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const pw = step('playwright', process.execPath, ['node_modules/@playwright/test/cli.js', 'test', ...process.argv.slice(2)], {
  ...process.env,
  E2E_JSON_REPORT: report,
});

if (!existsSync(report)) {
  console.log(`no JSON report at ${report}: Playwright did not finish`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const { stats } = JSON.parse(readFileSync(report, 'utf8'));
const passed = (stats.expected ?? 0) + (stats.flaky ?? 0);
const left = await leftovers();
if (left.length) {
  console.log(`\n${left.length} process(es) of this run still alive after it ended (a daemon, session or PostgreSQL a teardown missed):`);
  for (const l of left.slice(0, 20)) console.log(`  pid ${l.pid}: ${l.cmd.slice(0, 160)}`);
  console.log('counted as one failure; kill them with: kill ' + left.map((l) => l.pid).join(' '));
}
const failed = (stats.unexpected ?? 0) + (left.length ? 1 : 0);
const skipped = stats.skipped ?? 0;
const total = passed + failed + skipped;
if (total === 0) console.log('Playwright ran no test');
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(pw !== 0 || failed > 0 || total === 0 ? 1 : 0);

