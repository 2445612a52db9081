import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Ecosystem } from './ecosystem.ts';

/** Where `npm run staging` publishes its ecosystem; E2E_STATE_FILE moves it (nested runs, several held stacks). */
export function stateFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.E2E_STATE_FILE ?? '.tmp/staging-state.json');
}

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
  const file = stateFilePath();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
}

export function readStagingState(): StagingState {
  const file = stateFilePath();
  if (!existsSync(file)) {
    throw new Error(`E2E_REUSE=1 but no held ecosystem: ${file} is missing; start one with \`npm run staging\` in another terminal`);
  }
  const state = JSON.parse(readFileSync(file, 'utf8')) as StagingState;
  try {
    process.kill(state.pid, 0);
  } catch {
    throw new Error(`E2E_REUSE=1 but the staging process (pid ${state.pid}) is gone; start \`npm run staging\` again`);
  }
  return state;
}

export function removeStagingState(): void {
  rmSync(stateFilePath(), { force: true });
}
