import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const DAEMON_ENTRY = path.resolve('dist/daemon.mjs');
const SOURCES = ['ecosystem', 'contracts'];
const OUTPUTS = [DAEMON_ENTRY, ...['dist/daemon.cjs', 'dist/zod.cjs', 'dist/code-cache-loader.cjs', 'dist/runtime-main.cjs', 'dist/runtime.cjs'].map((f) => path.resolve(f))];

/**
 * Bundles the ecosystem (daemon and session runtime) when dist/ is missing or
 * older than any source file, so `npx playwright test` right after a code edit
 * never runs stale daemons.
 */
export function ensureBuilt(log: (line: string) => void = () => {}): void {
  // Every output must exist; the oldest one decides staleness.
  const built = Math.min(...OUTPUTS.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  const script = path.resolve('scripts/build-ecosystem.mjs');
  const newest = Math.max(...SOURCES.map((d) => newestMtime(path.resolve(d))), existsSync(script) ? statSync(script).mtimeMs : 0);
  if (built >= newest) return;
  if (!existsSync(script)) throw new Error(`cannot build the ecosystem: ${script} is missing`);
  log(`building the ecosystem (${path.relative(process.cwd(), DAEMON_ENTRY)} is ${built ? 'stale' : 'missing'})`);
  const res = spawnSync(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`building the ecosystem failed (node scripts/build-ecosystem.mjs):\n${res.stdout}${res.stderr}`);
  }
  if (!existsSync(DAEMON_ENTRY)) throw new Error(`build finished but ${DAEMON_ENTRY} is missing; run node scripts/build-ecosystem.mjs`);
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (/\.(ts|sql|mjs|js|json)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}
