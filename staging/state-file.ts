import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Ecosystem } from './ecosystem.ts';

export const STATE_FILE = path.resolve('.tmp/staging-state.json');

/** What `npm run staging` publishes so `E2E_REUSE=1` runs can attach without booting. */
export interface StagingState {
  pid: number;
  runId: string;
  parallelIndex: number;
  portBase: number;
  logFile: string;
  runDir: string;
  bootStartedAt: string;
  bootedAt: string;
  bootMs: number;
  postgres: Ecosystem['postgres'];
  model: Ecosystem['model'];
  roster: Ecosystem['roster'];
  failed: Ecosystem['failed'];
  butlers: {
    name: string;
    dir: string;
    port: number;
    advertisedUrl: string;
    modules: string[];
    routable: boolean;
    database: string;
    role: string;
    roleUrl: string;
    pid: number | undefined;
  }[];
}

export function writeStagingState(eco: Ecosystem): void {
  const state: StagingState = {
    pid: process.pid,
    runId: eco.runId,
    parallelIndex: eco.parallelIndex,
    portBase: eco.portBase,
    logFile: eco.logFile,
    runDir: eco.runDir,
    bootStartedAt: eco.bootStartedAt.toISOString(),
    bootedAt: eco.bootedAt.toISOString(),
    bootMs: eco.bootMs,
    postgres: eco.postgres,
    model: eco.model,
    roster: eco.roster,
    failed: eco.failed,
    butlers: Object.values(eco.butlers).map((b) => ({
      name: b.name,
      dir: b.dir,
      port: b.port,
      advertisedUrl: b.advertisedUrl,
      modules: b.modules,
      routable: b.routable,
      database: b.database,
      role: b.role,
      roleUrl: b.roleUrl,
      pid: b.pid,
    })),
  };
  mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2), { mode: 0o600 });
}

export function readStagingState(): StagingState {
  if (!existsSync(STATE_FILE)) {
    throw new Error(`E2E_REUSE=1 but no held ecosystem: ${STATE_FILE} is missing; start one with \`npm run staging\` in another terminal`);
  }
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as StagingState;
  try {
    process.kill(state.pid, 0);
  } catch {
    throw new Error(`E2E_REUSE=1 but the staging process (pid ${state.pid}) is gone; start \`npm run staging\` again`);
  }
  return state;
}

export function removeStagingState(): void {
  rmSync(STATE_FILE, { force: true });
}
