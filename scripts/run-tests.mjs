#!/usr/bin/env node
// `npm test`: typecheck, then every Playwright project (unit first by name order
// of dependencies), then one plain summary line computed from the JSON report.
// Extra arguments go to `playwright test` (e.g. `npm test -- --workers=2`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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

// One stamp names this run's log (.tmp/e2e-logs/e2e-<stamp>.log), so its size can be checked after.
const stamp = process.env.E2E_RUN_STAMP ?? new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
const pw = step('playwright', process.execPath, ['node_modules/@playwright/test/cli.js', 'test', ...process.argv.slice(2)], {
  ...process.env,
  E2E_JSON_REPORT: report,
  E2E_RUN_STAMP: stamp,
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
// A run log past the limit means a daemon logs too much (docs/performance.md): one failure, named.
const logFile = path.resolve('.tmp/e2e-logs', `e2e-${stamp}.log`);
const logLimit = Number(process.env.E2E_RUN_LOG_LIMIT_BYTES ?? 50 * 1024 * 1024);
const logSize = existsSync(logFile) ? statSync(logFile).size : 0;
const logTooBig = logSize > logLimit;
if (logTooBig) {
  console.log(`\nthe run log ${path.relative(process.cwd(), logFile)} is ${(logSize / 1048576).toFixed(1)} MB, above the ${(logLimit / 1048576).toFixed(0)} MB limit (E2E_RUN_LOG_LIMIT_BYTES): a daemon logs too much; counted as one failure`);
}
const failed = (stats.unexpected ?? 0) + (left.length ? 1 : 0) + (logTooBig ? 1 : 0);
const skipped = stats.skipped ?? 0;
const total = passed + failed + skipped;
if (total === 0) console.log('Playwright ran no test');
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(pw !== 0 || failed > 0 || total === 0 ? 1 : 0);

