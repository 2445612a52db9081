import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { ToolDef } from '../tool.ts';
import type { Redactor } from '../logging/redactor.ts';
import type { ModuleContext, ModuleDef, ModuleState } from './types.ts';

/** Inputs of `loadModules`; migration is injected so the degradation logic is testable without a database. */
export interface LoadModulesOptions {
  butler: string;
  /** `[modules]` of the validated config: only configured modules are considered. */
  configured: Record<string, ({ enabled: boolean } & Record<string, unknown>) | undefined>;
  available: ReadonlyMap<string, ModuleDef>;
  env: NodeJS.ProcessEnv;
  db: Pool;
  log: Logger;
  redactor: Redactor;
  /** Applies chain `module:<name>`; throws on failure. */
  migrate: (module: string) => Promise<void>;
  /** Stop each module after its migrations (`--migrate-only`: no startup, no tools). */
  migrateOnly?: boolean;
}

export interface LoadedModules {
  states: Record<string, ModuleState>;
  tools: ToolDef[];
  active: string[];
}

/** Configured modules sorted so dependencies come first (ties alphabetical, cycles last). */
export function topoOrder(names: string[], available: ReadonlyMap<string, ModuleDef>): string[] {
  const set = new Set(names);
  const remaining = new Set(names);
  const order: string[] = [];
  while (remaining.size) {
    const ready = [...remaining]
      .filter((n) => (available.get(n)?.dependsOn ?? []).every((d) => !set.has(d) || order.includes(d)))
      .sort();
    if (ready.length === 0) {
      order.push(...[...remaining].sort());
      break;
    }
    order.push(ready[0]);
    remaining.delete(ready[0]);
  }
  return order;
}

/**
 * Loads configured modules in dependency order (docs/ecosystem.md §9). Each one
 * ends `active`, `disabled` or `failed` with the first failing phase:
 * dependency → credentials → migration → startup. Nothing here is fatal.
 */
export async function loadModules(o: LoadModulesOptions): Promise<LoadedModules> {
  const states: Record<string, ModuleState> = {};
  const tools: ToolDef[] = [];
  const active: string[] = [];
  for (const name of topoOrder(Object.keys(o.configured).filter((n) => o.configured[n]), o.available)) {
    const def = o.available.get(name)!;
    const cfg = o.configured[name]!;
    const depends_on = [...def.dependsOn];
    const log = o.log;
    if (!cfg.enabled) {
      states[name] = { status: 'disabled', depends_on };
      log.info({ event: 'module.disabled', module: name }, `module ${name} is disabled in butler.toml`);
      continue;
    }
    const presence = Object.fromEntries(def.credentials.map((c) => [c.env, !!o.env[c.env]]));
    const fail = (phase: 'dependency' | 'credentials' | 'migration' | 'startup', error: string) => {
      const clean = o.redactor.redact(error);
      states[name] = { status: 'failed', phase, error: clean, depends_on };
      log.warn({ event: 'module.failed', module: name, phase, error: clean, credentials: presence }, `module ${name} failed (${phase}): ${clean}`);
    };
    const missingDep = def.dependsOn.find((d) => !active.includes(d));
    if (missingDep) {
      const st = states[missingDep];
      const why = !st ? 'not enabled in butler.toml' : st.status === 'failed' ? `failed (${st.phase})` : st.status;
      fail('dependency', `depends on module ${missingDep}, which is ${why}`);
      continue;
    }
    const credentials: Record<string, string> = {};
    const problem = def.credentials
      .map((c) => {
        const value = o.env[c.env];
        if (!value) return `${c.env} is not set`;
        if (c.pattern && !c.pattern.test(value)) return `${c.env} is malformed (expected ${c.format ?? String(c.pattern)})`;
        credentials[c.env] = value;
        return null;
      })
      .filter((p): p is string => p !== null);
    if (problem.length) {
      fail('credentials', problem.join('; '));
      continue;
    }
    try {
      await o.migrate(name);
    } catch (err) {
      fail('migration', (err as Error).message);
      continue;
    }
    if (o.migrateOnly) continue;
    const ctx: ModuleContext = { butler: o.butler, db: o.db, log: o.log.child({ module: name }), config: cfg, credentials };
    try {
      await def.startup?.(ctx);
      tools.push(...def.tools(ctx).map((t) => ({ ...t, module: name })));
    } catch (err) {
      fail('startup', (err as Error).message);
      continue;
    }
    states[name] = { status: 'active', depends_on };
    active.push(name);
    log.info({ event: 'module.active', module: name, credentials: presence }, `module ${name} is active`);
  }
  return { states, tools, active };
}
