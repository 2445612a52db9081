import pg from 'pg';
import { connectMcp, type McpHandle } from './mcp/client.ts';
import type { ButlerHandle } from './butler-handle.ts';
import type { Ecosystem } from './ecosystem.ts';
import { withDatabase } from './ecosystem.ts';
import { RunLog } from './run-log.ts';
import { readStagingState } from './state-file.ts';
import type { Supervisor } from './supervisor/supervisor.ts';
import type { Collector } from './collector/index.ts';

const notHere = (what: string) => () => {
  throw new Error(`${what} is not available with E2E_REUSE=1: the held ecosystem belongs to \`npm run staging\`; run without E2E_REUSE for chaos tests`);
};

/**
 * Attaches to the ecosystem `npm run staging` holds open: same handles, no
 * boot, and close() tears nothing of it down (it only closes our clients).
 */
export async function attachEcosystem(): Promise<Ecosystem> {
  const s = readStagingState();
  const pools = new Map<string, pg.Pool>();
  const admin = (butler: string) => {
    const b = s.butlers.find((x) => x.name === butler);
    if (!b) throw new Error(`no database for butler "${butler}" in the held ecosystem (${s.butlers.map((x) => x.name).join(', ')}); is E2E_ROSTER_DIR the same as for npm run staging?`);
    let pool = pools.get(butler);
    if (!pool) {
      pool = new pg.Pool({ connectionString: withDatabase(s.postgres.adminUrl, b.database), max: 4 });
      pool.on('error', () => {});
      pools.set(butler, pool);
    }
    return pool;
  };
  const clients: Promise<McpHandle>[] = [];
  const butlers: Record<string, ButlerHandle> = {};
  for (const b of s.butlers) {
    const origin = `http://127.0.0.1:${b.port}`;
    let shared: Promise<McpHandle> | undefined;
    butlers[b.name] = {
      ...b,
      url: `${origin}/mcp`,
      sseUrl: `${origin}/sse`,
      healthzUrl: `${origin}/healthz`,
      get sql() {
        return admin(b.name);
      },
      mcp() {
        if (!shared) clients.push((shared = connectMcp(`${origin}/mcp`)));
        return shared;
      },
      connect: (transport = 'streamable', headers) => connectMcp(`${origin}/mcp`, { transport, headers }),
      stop: notHere('stop') as any,
      kill: notHere('kill') as any,
      restart: notHere('restart') as any,
      async closeClients() {
        if (shared) await (await shared).close();
        shared = undefined;
      },
    };
  }
  const log = new RunLog(s.logFile, s.parallelIndex);
  return {
    runId: s.runId,
    parallelIndex: s.parallelIndex,
    portBase: s.portBase,
    runDir: s.runDir,
    logFile: s.logFile,
    roster: s.roster,
    butlers,
    // The held ecosystem's proxies live in `npm run staging`: no fault injection from here.
    proxies: {},
    failed: s.failed,
    postgres: s.postgres,
    model: s.model,
    // The held ecosystem's daemons export to the collector inside `npm run staging`; span queries need a booted worker.
    collector: new Proxy({}, { get: (_t, p) => (p === 'then' ? undefined : notHere(`collector.${String(p)} (spans and metrics)`)) }) as unknown as Collector,
    bootMs: 0,
    bootPhases: {},
    bootStartedAt: new Date(s.bootStartedAt),
    bootedAt: new Date(s.bootedAt),
    attachedAt: new Date(),
    reused: true,
    supervisor: new Proxy({}, { get: (_t, p) => notHere(`supervisor.${String(p)}`) }) as unknown as Supervisor,
    log,
    admin,
    launchAdHoc: notHere('launchAdHoc') as any,
    async close() {
      await Promise.all(Object.values(butlers).map((b) => b.closeClients()));
      await Promise.all([...pools.values()].map((p) => p.end().catch(() => {})));
      await log.close();
    },
  };
}
