import type pg from 'pg';
import type { FaultProxy } from './fault-proxy/index.ts';
import { connectMcp, type McpHandle, type McpTransportKind } from './mcp/client.ts';
import type { StartedPostgres } from './postgres/index.ts';
import type { RosterEntry } from './roster.ts';
import type { DaemonSpec, StartOptions, Supervisor } from './supervisor/supervisor.ts';

/** Everything a test needs to reach one butler from the outside. */
export interface ButlerHandle {
  name: string;
  dir: string;
  port: number;
  /** Direct Streamable HTTP endpoint (`/mcp`). */
  url: string;
  /** What the registry holds and the switchboard routes to: the butler's fault proxy in a booted ecosystem. */
  advertisedUrl: string;
  /**
   * The fault proxy at `advertisedUrl` (booted ecosystems; absent for ad-hoc
   * butlers and with E2E_REUSE=1). Tests use the `faults` fixture, which
   * restores it to pass afterwards.
   */
  proxy?: FaultProxy;
  sseUrl: string;
  healthzUrl: string;
  modules: string[];
  routable: boolean;
  database: string;
  role: string;
  /** Connection URL as the butler's own role (for isolation checks). */
  roleUrl: string;
  readonly pid: number | undefined;
  /** Admin pool on this butler's database. */
  sql: pg.Pool;
  /** A shared operator MCP client (no session token), created on first use. */
  mcp(): Promise<McpHandle>;
  /** A fresh client the caller closes. */
  connect(transport?: McpTransportKind, headers?: Record<string, string>): Promise<McpHandle>;
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
  restart(o?: StartOptions): Promise<void>;
  closeClients(): Promise<void>;
}

export function makeButlerHandle(a: {
  entry: RosterEntry;
  spec: DaemonSpec;
  /** The supervisor's key (differs from the butler name for ad-hoc instances). */
  supervisorKey: string;
  db: { database: string; role: string; password: string; url: string };
  postgres: StartedPostgres;
  supervisor: Supervisor;
  admin: (butler: string) => pg.Pool;
  proxy?: FaultProxy;
}): ButlerHandle {
  const origin = `http://127.0.0.1:${a.spec.port}`;
  let shared: Promise<McpHandle> | undefined;
  const dropShared = async () => {
    const s = shared;
    shared = undefined;
    if (s) await (await s.catch(() => undefined))?.close();
  };
  return {
    name: a.entry.name,
    dir: a.entry.dir,
    port: a.spec.port,
    url: `${origin}/mcp`,
    advertisedUrl: a.spec.advertisedUrl,
    ...(a.proxy ? { proxy: a.proxy } : {}),
    sseUrl: `${origin}/sse`,
    healthzUrl: `${origin}/healthz`,
    modules: a.entry.modules,
    routable: a.entry.routable,
    database: a.db.database,
    role: a.db.role,
    roleUrl: a.db.url,
    get pid() {
      return a.supervisor.pid(a.supervisorKey);
    },
    get sql() {
      return a.admin(a.entry.name);
    },
    mcp() {
      shared ??= connectMcp(`${origin}/mcp`);
      return shared;
    },
    connect(transport = 'streamable', headers) {
      return connectMcp(`${origin}/mcp`, { transport, headers });
    },
    async stop() {
      await dropShared();
      await a.supervisor.stop(a.supervisorKey);
    },
    kill(signal = 'SIGKILL') {
      void dropShared();
      a.supervisor.kill(a.supervisorKey, signal);
    },
    async restart(o) {
      await dropShared();
      await a.supervisor.restart(a.supervisorKey, o);
    },
    closeClients: dropShared,
  };
}
