import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { portBase as envPortBase } from '../ports.ts';
import { RunLog, currentRunStamp, prepareRunLog } from '../run-log.ts';
import type { BootOptions } from './types.ts';

/** What a boot needs to know before it creates anything. */
export interface BootSettings {
  env: NodeJS.ProcessEnv;
  progress: (line: string) => void;
  parallelIndex: number;
  base: number;
  /** The boot's start (bootMs and the phases count from here). */
  startedAt: number;
}

export function bootSettings(o: BootOptions): BootSettings {
  const env = o.env ?? process.env;
  return { env, progress: o.progress ?? (() => {}), parallelIndex: o.parallelIndex ?? 0, base: o.portBase ?? envPortBase(env), startedAt: Date.now() };
}

/** What one boot is: its ids, its folders, its log, read once from the options and the environment. */
export interface BootRun extends BootSettings {
  runId: string;
  runDir: string;
  logFile: string;
  log: RunLog;
  /** E2E_KEEP=1: PostgreSQL and the databases outlive the run. */
  keep: boolean;
  readinessTimeoutMs: number;
}

export function prepareRun(s: BootSettings, o: BootOptions): BootRun {
  const { env, parallelIndex } = s;
  const stamp = currentRunStamp(env);
  const runDir = path.resolve('.tmp/e2e-run', stamp, `w${parallelIndex}-${randomBytes(3).toString('hex')}`);
  mkdirSync(runDir, { recursive: true });
  const logFile = prepareRunLogOnce(stamp);
  return {
    ...s,
    runId: `${stamp.replace('-', '')}${randomBytes(2).toString('hex')}`,
    runDir,
    logFile,
    log: new RunLog(logFile, parallelIndex),
    keep: env.E2E_KEEP === '1',
    readinessTimeoutMs: o.readinessTimeoutMs ?? 60_000,
  };
}

// Several boots in one process (bench, nested tests) share the run's log file.
const preparedStamps = new Set<string>();
function prepareRunLogOnce(stamp: string): string {
  if (!preparedStamps.has(stamp)) {
    preparedStamps.add(stamp);
    return prepareRunLog(stamp);
  }
  return path.resolve('.tmp/e2e-logs', `e2e-${stamp}.log`);
}

/** The run log as the model double's logger. */
export function componentLogger(log: RunLog, component: string) {
  const at = (level: 'debug' | 'info' | 'warn') => (obj: object, msg?: string) =>
    log.log(component, level, String((obj as { event?: string }).event ?? `${component}.${level}`), { ...obj, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn') };
}
