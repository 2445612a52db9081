import { z } from 'zod';
import type { ModuleDef } from '../modules/types.ts';
import { allModules } from '../../modules/index.ts';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
const name = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lowercase letters, digits, "_" or "-", starting with a letter');

const butler = z
  .object({
    name,
    port: int(1, 65535),
    description: z.string().min(1),
    capabilities: z.array(z.string().min(1)).default([]),
    routable: z.boolean().default(true),
  })
  .strict();

const db = z
  .object({
    name: z.string().min(1).optional(),
    host: z.string().min(1).default('127.0.0.1'),
    port: int(1, 65535).default(5432),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    pool_min: int(0).default(2),
    pool_max: int(1).default(10),
    statement_timeout_ms: int(1).default(30_000),
    acquire_timeout_ms: int(1).default(10_000),
    provision: z.boolean().default(false),
  })
  .strict();

const runtime = z
  .object({
    model: z.string().min(1).default('claude-haiku-4-5-20251001'),
    timeout_s: int(1).default(120),
    max_turns: int(1).default(20),
    lock_wait_timeout_s: int(1).default(600),
    /** Opt-in tools (ToolDef.session = 'opt_in') this butler's sessions are offered as well; docs/ecosystem.md §11. */
    session_tools: z.array(z.string().min(1)).default([]),
  })
  .strict();

const envVar = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
const env = z
  .object({ required_env_vars: z.array(envVar).default([]), optional_env_vars: z.array(envVar).default([]) })
  .strict();

const schedule = z
  .object({
    name: z.string().min(1),
    cron: z.string().regex(/^\s*\S+(\s+\S+){4}\s*$/, 'a 5-field cron expression'),
    prompt: z.string().min(1),
    enabled: z.boolean().default(true),
    target: z.string().min(1).optional(),
  })
  .strict();

const scheduler = z.object({ auto_tick: z.boolean().default(true), tick_interval_s: int(1).default(60) }).strict();

const approvalMode = z.enum(['none', 'conditional', 'always']);
const approvalGates = z
  .object({
    mode: approvalMode.default('none'),
    timeout_s: z.number().positive().default(60),
    gated_tools: z.array(z.object({ tool: z.string().min(1), approval_mode: approvalMode }).strict()).default([]),
  })
  .strict();

const switchboard = z
  .object({
    url: z.string().url().optional(),
    /** false: never register (a second instance of a butler must not replace the first's registry row). */
    register: z.boolean().default(true),
    quarantine_after_failures: int(1).default(3),
    stale_after_s: int(1).default(900),
    max_route_depth: int(1).default(4),
    route_timeout_ms: int(1).default(120_000),
    /** Largest answer the router reads from a target (8 MiB). */
    max_response_bytes: int(1).default(8 * 1024 * 1024),
    synthesis: z.boolean().default(false),
  })
  .strict();

const log = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    worker: z.union([z.string(), z.number().int()]).optional(),
  })
  .strict();

/** Builds the butler.toml schema; module tables come from the module definitions. */
export function buildConfigSchema(modules: ReadonlyMap<string, ModuleDef>) {
  const moduleTables = Object.fromEntries(
    [...modules.values()].map((m) => [m.name, z.object({ enabled: z.boolean().default(true), ...m.config }).strict().optional()]),
  );
  return z
    .object({
      butler,
      advertised_url: z.string().url().optional(),
      db: db.default({}),
      runtime: runtime.default({}),
      env: env.default({}),
      modules: z.object(moduleTables).strict().default({}),
      schedule: z.array(schedule).default([]),
      scheduler: scheduler.default({}),
      approval_gates: approvalGates.default({}),
      switchboard: switchboard.default({}),
      log: log.default({}),
    })
    .strict()
    .superRefine((c, issue) => {
      c.schedule.forEach((s, i) => {
        if (s.target !== undefined && c.butler.name !== 'heartbeat') {
          issue.addIssue({ code: 'custom', path: ['schedule', i, 'target'], message: 'is only allowed on the heartbeat butler; remove it' });
        }
      });
      if (c.db.pool_max >= 1 && c.db.pool_min > c.db.pool_max) {
        issue.addIssue({ code: 'custom', path: ['db', 'pool_min'], message: `must not exceed db.pool_max (${c.db.pool_max})` });
      }
    })
    .transform((c) => ({ ...c, db: { ...c.db, name: c.db.name ?? `butler_${c.butler.name}` } }));
}

/** The schema of butler.toml (+ overlay) with every module known to this ecosystem. */
export const configSchema = buildConfigSchema(allModules);

/** The validated, merged configuration of one butler. */
export type ButlerConfig = z.output<typeof configSchema>;
export type ModuleConfig = { enabled: boolean } & Record<string, unknown>;
