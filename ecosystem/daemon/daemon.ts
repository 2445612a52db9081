import path from 'node:path';
import type { DestinationStream, Logger } from 'pino';
import type { Pool } from 'pg';
import { loadConfig } from '../core/config/load-config.ts';
import type { ButlerConfig } from '../core/config/schema.ts';
import { scanForSecrets, secretValues } from '../core/config/secret-scan.ts';
import { MigrationError, runMigrations } from '../core/db/migrate.ts';
import { openPool } from '../core/db/pool.ts';
import { createLogger } from '../core/logging/logger.ts';
import { createRedactor } from '../core/logging/redactor.ts';
import { loadModules } from '../core/modules/loader.ts';
import { startRegistration, type Registration } from '../core/registration/register.ts';
import { StartupError } from '../core/startup-error.ts';
import { startHttpServer, type HttpServerHandle } from '../core/server/http-server.ts';
import { createMcpServer } from '../core/server/mcp-server.ts';
import { SessionTokenRegistry } from '../core/server/session-tokens.ts';
import { ToolRegistry } from '../core/server/tool-registry.ts';
import { initTelemetry } from '../core/trace/telemetry.ts';
import { otlpMetrics } from '../core/trace/telemetry-metrics.ts';
import { coreTools, gateTools, recoverInterruptedSessions, syncSchedules } from '../core/tools/index.ts';
import { allModules } from '../modules/index.ts';
import { collectTools } from './collect-tools.ts';
import { defaultExtensions, type DaemonExtension, type ExtensionResult } from './extensions.ts';
import { packageVersion, projectRoot } from '../core/paths.ts';
import { loadRosterTools } from './roster-tools.ts';
import { createStatusTool, type DaemonInfo } from './status-tool.ts';
import { composeIntercepts, credentialValues, startupTimer } from './startup-helpers.ts';

/** Inputs of `startDaemon`; `env` and `destination` make it testable in-process. */
export interface StartDaemonOptions {
  rosterDir: string;
  overlayPath?: string;
  env?: NodeJS.ProcessEnv;
  cli?: Record<string, string | undefined>;
  destination?: DestinationStream;
  extensions?: DaemonExtension[];
  /**
   * Apply every migration this butler would apply at start-up (core, butler,
   * and the modules that pass their dependency and credential checks), then
   * release everything and return null: no module startup, no port, no
   * registration. The harness builds migrated template databases this way.
   */
  migrateOnly?: boolean;
  /**
   * Set by a warm spare (`--warm`): how long the loaded process waited for its
   * launch line (near 0: it was launched before its code had finished loading)
   * and the CPU its loading took. Logged with `butler.ready` so a slow boot
   * shows where its time went.
   */
  spare?: { waitMs: number; loadCpuMs: number };
  /**
   * Export spans and metrics over OTLP as `butler-<name>` when
   * OTEL_EXPORTER_OTLP_ENDPOINT is set (the process entry point sets this;
   * in-process test daemons leave it off).
   */
  telemetry?: boolean;
}

/** A running butler daemon; `close()` is the SIGTERM path and safe to call twice. */
export interface DaemonHandle {
  butler: string;
  url: string;
  endpointUrl: string;
  port: number;
  config: ButlerConfig;
  log: Logger;
  tokens: SessionTokenRegistry;
  registry: ToolRegistry;
  services: Record<string, unknown>;
  registration: Registration | null;
  close(reason?: string): Promise<void>;
}

const DRAIN_MS = 10_000;

/**
 * Starts one butler in the order of docs/ecosystem.md §1. A fatal problem logs
 * `butler.startup_failed` with its phase, releases what was opened, and
 * rejects with the StartupError; nothing is registered.
 */
export async function startDaemon(o: StartDaemonOptions & { migrateOnly: true }): Promise<null>;
export async function startDaemon(o: StartDaemonOptions & { migrateOnly?: false }): Promise<DaemonHandle>;
export async function startDaemon(o: StartDaemonOptions): Promise<DaemonHandle | null>;
export async function startDaemon(o: StartDaemonOptions): Promise<DaemonHandle | null> {
  const env = o.env ?? process.env;
  const timer = startupTimer();
  const redactor = createRedactor([env.ANTHROPIC_API_KEY, ...credentialValues(allModules, env)]);
  let log = createLogger({ butler: path.basename(path.resolve(o.rosterDir)), redactor, worker: env.BUTLERS_WORKER, destination: o.destination });
  const undo: Array<() => Promise<unknown>> = [];
  try {
    const loaded = loadConfig({ rosterDir: o.rosterDir, overlayPath: o.overlayPath ?? env.BUTLERS_OVERLAY, env, cli: o.cli });
    const { config } = loaded;
    const name = config.butler.name;
    redactor.addSecrets([config.db.password, ...[...config.env.required_env_vars, ...config.env.optional_env_vars].map((v) => env[v])]);
    log = createLogger({ butler: name, redactor, level: config.log.level, worker: config.log.worker ?? env.BUTLERS_WORKER, destination: o.destination });
    // A committed literal is still a secret: keep it out of every later line.
    redactor.addSecrets(secretValues(loaded.committed));
    for (const f of scanForSecrets(loaded.committed)) {
      log.warn({ event: 'config.secret_detected', key: f.key, pattern: f.pattern }, `butler.toml holds a credential-shaped value at ${f.key} (${f.pattern}); move it to the environment`);
    }
    const short = path.relative(process.cwd(), loaded.rosterDir) || '.';
    const rosterTools = loadRosterTools(loaded.rosterDir, short);
    rosterTools.catch(() => undefined);
    timer.mark('config');

    let pool: Pool;
    try {
      pool = await openPool(config.db, name, log);
    } catch (err) {
      log.error({ event: 'db.connect_failed', error: (err as Error).message }, (err as Error).message);
      throw err;
    }
    undo.push(() => pool.end());
    timer.mark('pool');

    const root = projectRoot(env);
    const moduleDir = (m: string) => path.join(root, 'ecosystem', 'modules', m, 'migrations');
    try {
      await runMigrations(pool, [{ chain: 'core', dir: path.join(root, 'ecosystem', 'core', 'migrations') }, { chain: `butler:${name}`, dir: path.join(loaded.rosterDir, 'migrations') }], log);
      if (!o.migrateOnly) await recoverInterruptedSessions(pool, name, log);
    } catch (err) {
      if (err instanceof MigrationError) throw new StartupError('migration', err.message);
      throw new StartupError('database', `startup recovery failed: ${(err as Error).message}`);
    }
    timer.mark('migrations');

    const modules = await loadModules({
      butler: name, configured: config.modules, available: allModules, env, db: pool, log, redactor,
      migrate: async (m) => void (await runMigrations(pool, [{ chain: `module:${m}`, dir: moduleDir(m) }], log)),
      migrateOnly: o.migrateOnly,
    });
    timer.mark('modules');
    if (o.migrateOnly) {
      log.info({ event: 'butler.migrated', phases: timer.phases() }, `butler ${name}: migrations applied (--migrate-only)`);
      for (const u of undo.reverse()) await u().catch(() => undefined);
      return null;
    }

    const telemetry = o.telemetry ? initTelemetry(`butler-${name}`, env, { metrics: otlpMetrics }) : null;
    if (telemetry) log.debug({ event: 'telemetry.started', service: telemetry.service, exporting: telemetry.exporting, endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT ?? null }, 'telemetry started');
    const tokens = new SessionTokenRegistry();
    const version = packageVersion(root);
    const port = config.butler.port;
    const endpointUrl = `http://127.0.0.1:${port}/mcp`;
    let registry: ToolRegistry | null = null;
    const info: DaemonInfo = {
      butler: name, pid: process.pid, port, endpointUrl, version, startedAt: new Date(), config,
      modules: modules.states, toolNames: () => registry?.names() ?? [],
    };
    const services: Record<string, unknown> = { sessions: tokens, daemon: info };
    const started: Array<{ name: string } & ExtensionResult> = [];
    for (const ext of o.extensions ?? defaultExtensions) {
      try {
        const r = (await ext.start({ config, rosterDir: loaded.rosterDir, claudeMd: loaded.claudeMd, db: pool, log, redactor, tokens, info, services, env })) ?? {};
        Object.assign(services, r.services);
        started.push({ name: ext.name, ...r });
        if (r.close) undo.push(r.close);
      } catch (err) {
        throw new StartupError('server', `daemon extension ${ext.name} failed to start: ${(err as Error).message}`);
      }
    }

    const roster = await rosterTools;
    // A butler's own domain tools lead its tool list: they are what it exists
    // for, and a model reading the list meets them before the shared core tools.
    const all = collectTools([
      ...roster.tools.map((t) => ({ source: t.file, tools: [t.tool] })),
      { source: 'active modules', tools: modules.tools },
      { source: 'core', tools: coreTools },
      { source: 'the daemon', tools: [createStatusTool(info)] },
      ...started.map((e) => ({ source: `extension ${e.name}`, tools: e.tools ?? [] })),
    ]);
    const shutdown = new AbortController();
    const reg = new ToolRegistry({
      butler: name, log, redactor, sessionTools: config.runtime.session_tools,
      context: () => ({ butler: name, db: pool, config, services }),
      intercept: composeIntercepts(started.map((e) => e.intercept)),
    });
    try {
      reg.add(gateTools(all, config.approval_gates, log), name);
    } catch (err) {
      throw new StartupError('server', `registering tools failed: ${(err as Error).message}`);
    }
    registry = reg;
    // A name in runtime.session_tools that no registered tool has (a typo, an inactive module) offers nothing: say so.
    for (const tool of config.runtime.session_tools.filter((t) => !reg.get(t))) {
      log.warn({ event: 'config.session_tool_unknown', tool }, `runtime.session_tools names ${tool}, which this butler does not serve; sessions are not offered it`);
    }
    timer.mark(`tools(${roster.cached ? 'cached' : 'built'} ${roster.ms}ms)`);

    try {
      await syncSchedules(pool, config.schedule, { butler: name, log });
    } catch (err) {
      const msg = (err as Error).message;
      throw new StartupError(msg.startsWith('butler.toml') ? 'config' : 'database', `syncing [[schedule]] failed: ${msg}`);
    }
    timer.mark('schedules');

    let http: HttpServerHandle;
    try {
      http = await startHttpServer({ butler: name, port, tokens, log, newServer: () => createMcpServer(name, version, reg, shutdown.signal) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const hint = code === 'EADDRINUSE' ? '; stop the process holding it or set butler.port in the overlay' : '';
      throw new StartupError('server', `cannot listen on 127.0.0.1:${port}: ${(err as Error).message}${hint}`);
    }
    undo.push(() => http.close());
    http.setReady(true);

    const localRegister = !config.switchboard.url && reg.get('registry_register');
    const registration =
      config.switchboard.register && (config.switchboard.url || localRegister)
        ? startRegistration({
            log, version,
            switchboardUrl: config.switchboard.url,
            local: (args) => reg.call('registry_register', args, { sessionId: null, meta: {}, signal: shutdown.signal }),
            payload: {
              name, endpoint_url: config.advertised_url ?? endpointUrl, description: config.butler.description,
              capabilities: config.butler.capabilities, tools: reg.names(), routable: config.butler.routable, route_contract_version: 'v1',
            },
          })
        : null;
    if (!registration) {
      const why = config.switchboard.register ? 'no switchboard.url and no local registry_register' : 'switchboard.register = false';
      log.info({ event: 'registry.skipped' }, `${why}: not registering`);
    }
    const cpu = process.cpuUsage();
    log.info({ event: 'butler.ready', port, endpoint: endpointUrl, startup_ms: timer.total(), phases: timer.phases(), process_cpu_ms: Math.round((cpu.user + cpu.system) / 1000), process_uptime_ms: Math.round(performance.now()), ...(o.spare ? { spare: { wait_ms: o.spare.waitMs, load_cpu_ms: o.spare.loadCpuMs } } : {}) }, `butler ${name} ready on ${endpointUrl}`);

    let closing: Promise<void> | null = null;
    const close = (reason = 'close') =>
      (closing ??= (async () => {
        const t = Date.now();
        http.stopAccepting();
        await registration?.stop();
        const spawner = services.spawner as { drain?: (ms: number) => Promise<unknown> } | undefined;
        const drained = await Promise.race([
          (async () => {
            await spawner?.drain?.(DRAIN_MS);
            const left = () => Math.max(0, DRAIN_MS - (Date.now() - t));
            const calls = await reg.idle(left());
            // One macrotask: responses of calls that just finished get written (SSE answers on the stream).
            await new Promise((r) => setImmediate(r));
            return calls && (await http.idle(left()));
          })(),
          new Promise<boolean>((r) => setTimeout(() => r(false), DRAIN_MS).unref()),
        ]);
        shutdown.abort();
        let clients: number | undefined;
        for (const e of started.reverse()) {
          const n = await e.close?.().catch((err: unknown) => log.warn({ event: 'butler.extension_close_failed', extension: e.name, err }, 'extension close failed'));
          if (typeof n === 'number') clients = (clients ?? 0) + n;
        }
        await http.close();
        await pool.end().catch(() => undefined);
        await telemetry?.shutdown(2000);
        log.info({ event: 'butler.shutdown', reason, drained, duration_ms: Date.now() - t, ...(clients !== undefined ? { clients_closed: clients } : {}) }, `butler ${name} stopped`);
      })());
    return { butler: name, url: http.url, endpointUrl, port, config, log, tokens, registry: reg, services, registration, close };
  } catch (err) {
    for (const u of undo.reverse()) await u().catch(() => undefined);
    const e = err instanceof StartupError ? err : new StartupError('server', (err as Error).message ?? String(err), { cause: err });
    log.error({ event: 'butler.startup_failed', phase: e.phase, error: e.message }, `startup failed (${e.phase}): ${e.message}`);
    throw e;
  }
}
