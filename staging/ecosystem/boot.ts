import { rmSync } from 'node:fs';
import path from 'node:path';
import { makeButlerHandle, type ButlerHandle } from '../butler-handle.ts';
import { DAEMON_ENTRY, ensureBuilt } from '../build.ts';
import { daemonEnvironment, modelSettings, type ModelSettings } from '../daemon-env.ts';
import { startCollector, type Collector } from '../collector/index.ts';
import { startModelDouble, type ModelDoubleHandle } from '../model-double/index.ts';
import { startFaultProxy, type FaultProxy } from '../fault-proxy/index.ts';
import { proxyPort, workerPort } from '../ports.ts';
import { dropButlerDatabases, provisionButlerDatabases, startPostgres, type ProvisionedButler, type StartedPostgres } from '../postgres/index.ts';
import { discoverRoster, rosterDir as defaultRosterDir, type RosterEntry } from '../roster.ts';
import { Supervisor } from '../supervisor/supervisor.ts';
import { availableTemplates, migratedTemplateSeed } from '../templates.ts';
import { adHocLauncher } from './ad-hoc.ts';
import { AdminPools } from './admin-pools.ts';
import { keepMessage } from './keep-message.ts';
import { loopbackMcpUrl, stagingOverlay } from './overlay.ts';
import { assertPortsFree, selectBootable } from './roster-check.ts';
import { bootSettings, componentLogger, prepareRun, type BootRun } from './run.ts';
import type { BootFailure, BootOptions, Ecosystem } from './types.ts';

/**
 * Boots a complete worker ecosystem from nothing: PostgreSQL from the provider
 * chain, one database and role per butler, one daemon per roster folder on the
 * worker's port block (switchboard first), each checked ready, each behind a
 * fault proxy (its port + PROXY_PORT_OFFSET) that the registry advertises.
 */
export async function bootEcosystem(o: BootOptions = {}): Promise<Ecosystem> {
  const settings = bootSettings(o);
  ensureBuilt(settings.progress);
  const folder = o.rosterDir ?? defaultRosterDir(settings.env);
  const roster = discoverRoster(folder);
  if (!roster.length) throw new Error(`no butler folders (with butler.toml) in ${folder}`);
  const failed: BootFailure[] = [];
  const bootable = selectBootable(roster, failed);
  // Before the run folder, the log or anything else exists: a taken port leaves nothing behind.
  await assertPortsFree(bootable, settings.parallelIndex, settings.base);
  const run = prepareRun(settings, o);

  const boot = new EcosystemBoot(run, bootable, failed);
  try {
    await boot.startProxies();
    await boot.startModel();
    await boot.startPostgres();
    await boot.startButlers();
    return boot.ready(roster);
  } catch (err) {
    await boot.teardown();
    await run.log.close();
    throw err;
  }
}

/** The boot's phases, in order, and what they leave for the next one and for teardown. */
class EcosystemBoot {
  readonly phases: Record<string, number> = {};
  readonly model: ModelSettings;
  readonly provisioned: Record<string, ProvisionedButler> = {};
  readonly pools: AdminPools;
  /** One fault proxy per bootable butler, in front of its real port (docs/resilience.md, Fault proxy). */
  readonly proxies: Record<string, FaultProxy> = {};
  double?: ModelDoubleHandle;
  collector?: Collector;
  postgres?: StartedPostgres;
  supervisor?: Supervisor;
  baseEnv: Record<string, string> = {};

  constructor(
    readonly run: BootRun,
    readonly bootable: RosterEntry[],
    readonly failed: BootFailure[],
  ) {
    this.model = modelSettings(run.env);
    this.pools = new AdminPools(() => this.postgres?.adminUrl, this.provisioned);
  }

  private mark(phase: string): void {
    this.phases[phase] = Date.now() - this.run.startedAt;
  }

  private port(b: RosterEntry): number {
    return workerPort(b.tomlPort, this.run.parallelIndex, this.run.base);
  }

  /** What the registry holds for a butler: its fault proxy's MCP URL (the harness's own clients use the real port). */
  private advertisedUrl(b: RosterEntry): string {
    return loopbackMcpUrl(proxyPort(b.tomlPort, this.run.parallelIndex, this.run.base));
  }

  /** The switchboard's real URL: daemons register and the heartbeat routes there directly, never through a proxy. */
  get switchboardUrl(): string {
    const sb = this.bootable.find((b) => b.name === 'switchboard');
    return loopbackMcpUrl(workerPort(sb?.tomlPort ?? 8100, this.run.parallelIndex, this.run.base));
  }

  /** A fault proxy per butler, in pass mode, on the worker's proxy ports; nothing connects before the daemons start. */
  async startProxies(): Promise<void> {
    const log = this.run.log;
    for (const b of this.bootable) {
      this.proxies[b.name] = await startFaultProxy({
        name: b.name,
        target: this.port(b),
        port: proxyPort(b.tomlPort, this.run.parallelIndex, this.run.base),
        log: (event, fields) => log.log('fault-proxy', 'info', event, { butler: b.name, ...fields }),
      });
    }
    this.mark('proxies');
  }

  /** The worker's trace collector and (double mode) the model double, both in this process; the daemons' environment points at them. */
  async startModel(): Promise<void> {
    const collectorLog = componentLogger(this.run.log, 'collector');
    this.collector = await startCollector({
      forwardTo: this.run.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
      log: (event, fields) => collectorLog.warn({ event, ...fields }, `collector: ${event}`),
    });
    if (this.model.mode === 'double') {
      this.double = await startModelDouble({ apiKey: this.model.apiKey!, log: componentLogger(this.run.log, 'model-double') });
      this.model.baseUrl = this.double.url;
    }
    this.mark('double');
    this.baseEnv = daemonEnvironment(this.run.env, this.model, this.run.parallelIndex, this.collector.url);
    const { run } = this;
    this.supervisor = new Supervisor({
      runDir: run.runDir,
      daemonEntry: DAEMON_ENTRY,
      log: run.log,
      echo: run.env.E2E_CONSOLE_LOGS === '1',
      registryLookup: async (name) => {
        const r = await this.pools.pool('switchboard').query('select endpoint_url from butler_registry where name = $1', [name]);
        return r.rows[0]?.endpoint_url;
      },
    });
  }

  /** PostgreSQL from the chain (seeded with migrated templates), while warm spares load the daemon code. */
  async startPostgres(): Promise<void> {
    const { run } = this;
    const seed =
      run.env.E2E_TEMPLATES === '0'
        ? undefined
        : migratedTemplateSeed({
            roster: this.bootable,
            daemonEntry: DAEMON_ENTRY,
            env: this.baseEnv,
            runDir: run.runDir,
            ecosystemDir: path.resolve('ecosystem'),
            overlay: (b, db, server) => {
              return stagingOverlay({ port: this.port(b), advertisedUrl: this.advertisedUrl(b), pg: server, db, worker: run.parallelIndex });
            },
          });
    const pgLog = (l: string) => run.log.log('postgres', 'info', 'postgres.log', { msg: l });
    const starting = startPostgres({ runDir: run.runDir, env: run.env, log: pgLog, seed });
    // Spawning is synchronous work for this process: begin PostgreSQL's start first.
    if (run.env.E2E_WARM_SPARES !== '0') this.supervisor!.warm(this.bootable.length, this.baseEnv);
    this.postgres = await starting;
    this.mark('postgres');
  }

  private define(b: RosterEntry): void {
    const port = this.port(b);
    const advertisedUrl = this.advertisedUrl(b);
    this.supervisor!.define({
      name: b.name,
      rosterDir: b.dir,
      port,
      advertisedUrl,
      env: this.baseEnv,
      overlay: stagingOverlay({
        port,
        advertisedUrl,
        pg: this.postgres!,
        db: this.provisioned[b.name],
        switchboardUrl: b.name === 'switchboard' ? undefined : this.switchboardUrl,
        worker: this.run.parallelIndex,
      }),
    });
  }

  private async startOne(name: string): Promise<void> {
    try {
      await this.supervisor!.start(name, { readinessTimeoutMs: this.run.readinessTimeoutMs });
    } catch (err) {
      this.failed.push({ butler: name, message: (err as Error).message });
    }
  }

  /** The switchboard's database, then the switchboard while the others are provisioned, then the other butlers in parallel. */
  async startButlers(): Promise<void> {
    const postgres = this.postgres!;
    const suffix = postgres.provider === 'url' ? `_${this.run.runId}_w${this.run.parallelIndex}` : '';
    const templates = postgres.seed ? await availableTemplates(postgres, this.bootable.map((b) => b.name)) : {};
    const first = this.bootable.filter((b) => b.name === 'switchboard');
    const rest = this.bootable.filter((b) => b.name !== 'switchboard');
    Object.assign(this.provisioned, await provisionButlerDatabases(postgres, first.map((b) => b.name), { suffix, templates }));
    let restError: unknown;
    const restProvisioned = provisionButlerDatabases(postgres, rest.map((b) => b.name), { suffix, templates }).then(
      (r) => void Object.assign(this.provisioned, r),
      (err) => void (restError = err),
    );
    this.mark('provision_switchboard');

    this.run.progress(`booting ${this.bootable.length} butlers on ${postgres.provider} PostgreSQL ${postgres.version}`);
    first.forEach((b) => this.define(b));
    if (first.length) await this.startOne('switchboard');
    this.mark('switchboard');
    await restProvisioned;
    if (restError) throw restError;
    rest.forEach((b) => this.define(b));
    this.mark('provision');
    if (this.failed.some((f) => f.butler === 'switchboard')) {
      for (const b of rest) this.failed.push({ butler: b.name, message: 'not started: the switchboard failed to boot' });
    } else {
      await Promise.all(rest.map((b) => this.startOne(b.name)));
    }
    // Spares of butlers that never started (a failed switchboard) are not needed.
    await this.supervisor!.dropSpares();
  }

  /** The handles a test uses, once every butler that could start is ready. */
  ready(roster: RosterEntry[]): Ecosystem {
    const { run, failed } = this;
    const postgres = this.postgres!;
    const supervisor = this.supervisor!;
    const admin = (butler: string) => this.pools.pool(butler);
    const butlers: Record<string, ButlerHandle> = {};
    const proxies: Record<string, FaultProxy> = {};
    for (const b of this.bootable) {
      if (failed.some((f) => f.butler === b.name)) continue;
      const proxy = this.proxies[b.name];
      butlers[b.name] = makeButlerHandle({ entry: b, spec: supervisor.spec(b.name), supervisorKey: b.name, db: this.provisioned[b.name], postgres, supervisor, admin, proxy });
      proxies[b.name] = proxy;
    }
    const adHoc = adHocLauncher({
      supervisor,
      postgres,
      baseEnv: this.baseEnv,
      switchboardUrl: this.switchboardUrl,
      worker: run.parallelIndex,
      switchboardDb: () => admin('switchboard'),
    });
    const { stop: _stop, ...pgPublic } = postgres;
    let closing: Promise<void> | undefined;
    const eco: Ecosystem = {
      runId: run.runId,
      parallelIndex: run.parallelIndex,
      portBase: run.base,
      runDir: run.runDir,
      logFile: run.logFile,
      roster,
      butlers,
      proxies,
      failed,
      postgres: pgPublic,
      model: this.model,
      double: this.double,
      collector: this.collector!,
      bootMs: Date.now() - run.startedAt,
      bootPhases: this.phases,
      bootStartedAt: new Date(run.startedAt),
      bootedAt: new Date(),
      attachedAt: new Date(),
      reused: false,
      supervisor,
      log: run.log,
      admin,
      launchAdHoc: adHoc.launch,
      close: () =>
        (closing ??= (async () => {
          await adHoc.disposeAll();
          await Promise.all(Object.values(butlers).map((b) => b.closeClients()));
          await this.teardown();
          if (run.keep) run.progress(keepMessage(eco));
          await run.log.close();
        })()),
    };
    run.log.log('harness', 'info', 'ecosystem.ready', { boot_ms: eco.bootMs, phases: this.phases, provider: postgres.provider, failed: failed.map((f) => f.butler) });
    // The boot is done: let the provider prepare the next cluster (close() waits for it).
    if (!run.keep) postgres.prepareNext?.();
    return eco;
  }

  /** Undoes whatever the phases did, in reverse; with E2E_KEEP=1 PostgreSQL and the run folder stay. */
  async teardown(): Promise<void> {
    const { run } = this;
    await this.supervisor?.shutdown().catch((e) => run.log.log('supervisor', 'error', 'supervisor.shutdown_failed', { error: String(e) }));
    // After the daemons: a switchboard shutting down still closes its clients through them.
    await Promise.all(Object.values(this.proxies).map((p) => p.close()));
    await this.pools.end();
    // The double lives in this process: it cannot outlive it, kept or not.
    await this.double?.close();
    // Last: the daemons' shutdown flushes arrive before it closes.
    await this.collector?.close();
    if (run.keep) return;
    if (this.postgres?.provider === 'url') await dropButlerDatabases(this.postgres, this.provisioned).catch(() => {});
    await this.postgres?.stop();
    rmSync(run.runDir, { recursive: true, force: true });
  }
}
