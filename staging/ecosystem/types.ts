import type pg from 'pg';
import type { ButlerHandle } from '../butler-handle.ts';
import type { ModelSettings } from '../daemon-env.ts';
import type { Collector } from '../collector/index.ts';
import type { FaultProxy } from '../fault-proxy/index.ts';
import type { ModelDoubleHandle } from '../model-double/index.ts';
import type { StartedPostgres } from '../postgres/index.ts';
import type { RosterEntry } from '../roster.ts';
import type { RunLog } from '../run-log.ts';
import type { Supervisor } from '../supervisor/supervisor.ts';

export interface BootOptions {
  /** Playwright's parallelIndex: picks the port block. */
  parallelIndex?: number;
  portBase?: number;
  rosterDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines (boot steps, the endpoint summary). */
  progress?: (line: string) => void;
  readinessTimeoutMs?: number;
}

export interface BootFailure {
  butler: string;
  message: string;
}

/** A booted worker ecosystem: handles per butler plus everything needed to inspect and tear down. */
export interface Ecosystem {
  runId: string;
  parallelIndex: number;
  portBase: number;
  runDir: string;
  logFile: string;
  roster: RosterEntry[];
  butlers: Record<string, ButlerHandle>;
  /**
   * The fault proxy in front of each running butler (the registry's
   * endpoint_url points at it; `butlers[x].url` does not). Empty with E2E_REUSE=1.
   */
  proxies: Record<string, FaultProxy>;
  /** Butlers that were discovered but did not boot, with the reason. */
  failed: BootFailure[];
  postgres: Omit<StartedPostgres, 'stop'>;
  model: ModelSettings;
  /** The in-process model double (double mode only). */
  double?: ModelDoubleHandle;
  /** The worker's OTLP receiver: every daemon and session process exports its spans and metrics here. */
  collector: Collector;
  bootMs: number;
  /** Milliseconds from the boot's start at which each phase ended (double, postgres, switchboard, …); empty when reused. */
  bootPhases: Record<string, number>;
  bootStartedAt: Date;
  bootedAt: Date;
  /** When this worker started using it: the boot end, or the attach time with E2E_REUSE. */
  attachedAt: Date;
  /** True when attached to `npm run staging` (E2E_REUSE=1): no supervisor, no ad-hoc butlers. */
  reused: boolean;
  supervisor: Supervisor;
  log: RunLog;
  /** Admin pool on a butler's database (evidence queries). */
  admin(butler: string): pg.Pool;
  /** One-off butler on a spare port with its own database (broken configs, roster copies, slow starts). */
  launchAdHoc(o: AdHocOptions): Promise<AdHocButler>;
  close(): Promise<void>;
}

export interface AdHocOptions {
  name: string;
  /** The butler's folder (its name must equal `name`). */
  rosterDir: string;
  env?: Record<string, string>;
  overlay?: Record<string, any>;
  readinessTimeoutMs?: number;
  /** Wait for the registry row too (default true). */
  expectRegistration?: boolean;
  /**
   * Register with the ecosystem's switchboard (default true). A copy of a
   * booted butler (same name) must not: its registry row would replace the
   * real one's.
   */
  register?: boolean;
}

export interface AdHocButler extends ButlerHandle {
  /** Stops it, removes its registry row and drops its database; safe twice. */
  dispose(): Promise<void>;
}
