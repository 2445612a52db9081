import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import { startModelDouble, type ModelDoubleHandle } from '../../staging/model-double/index.ts';
import { startDaemon, type DaemonHandle } from '../daemon/daemon.ts';
import { logSink, makeTestRoster, type TestRoster } from './test-roster.ts';
import { startThrowawayCluster, type ThrowawayCluster } from '../../staging/testing/throwaway-cluster.ts';
import { spawnerExtension } from '../core/spawner/extension.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const API_KEY = 'sk-ant-spawner-test-key-0001';
/** Variables a session must never see (SEC-01). */
export const CANARIES = { GITHUB_TOKEN: 'ghp_canaryvalue0123456789', E2E_CANARY_SECRET: 'e2e-canary-secret-value', SSH_AUTH_SOCK: '/tmp/canary-agent.sock', DATABASE_URL: 'postgres://canary@127.0.0.1/x' };

/** Shared pieces of the spawner tests: one PostgreSQL, one model double, overlays. */
export interface TestWorld {
  cluster: ThrowawayCluster;
  double: ModelDoubleHandle;
  roster: TestRoster;
  close(): Promise<void>;
}

let built = false;
export async function startWorld(): Promise<TestWorld> {
  if (!built) {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-ecosystem.mjs')], { cwd: ROOT, stdio: 'pipe' });
    built = true;
  }
  const cluster = await startThrowawayCluster();
  const double = await startModelDouble({ apiKey: API_KEY });
  const roster = makeTestRoster();
  return {
    cluster, double, roster,
    close: async () => {
      await double.close();
      await cluster.stop();
      roster.remove();
    },
  };
}

/** A running butler with the spawner, an operator MCP client and a pool on its database. */
export interface TestButler {
  daemon: DaemonHandle;
  logs: Array<Record<string, unknown>>;
  db: pg.Pool;
  op: Client;
  call(tool: string, args?: Record<string, unknown>, meta?: Record<string, string>): Promise<any>;
  raw(tool: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

export interface ButlerOptions {
  roster: string;
  port: number;
  dbName: string;
  overlay?: string;
  env?: Record<string, string>;
}

export async function startButler(w: TestWorld, o: ButlerOptions): Promise<TestButler> {
  const overlay = w.roster.overlay(
    `${o.dbName}-${o.port}`,
    [
      '[butler]', `port = ${o.port}`,
      '[db]', 'host = "127.0.0.1"', `port = ${w.cluster.port}`, 'user = "postgres"', 'provision = true', `name = "${o.dbName}"`,
      '[scheduler]', 'auto_tick = false',
      '[log]', 'level = "debug"',
      o.overlay ?? '[switchboard]\nurl = "http://127.0.0.1:8599/mcp"',
    ].join('\n'),
  );
  const sink = logSink();
  const daemon = await startDaemon({
    rosterDir: path.isAbsolute(o.roster) ? o.roster : path.join(ROOT, o.roster),
    overlayPath: overlay,
    extensions: [spawnerExtension],
    env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: w.double.url, ...CANARIES, PATH: process.env.PATH ?? '/usr/bin', HOME: '/root', ...o.env },
    destination: sink.stream,
  });
  const db = new pg.Pool({ connectionString: w.cluster.url(o.dbName), max: 3 });
  // A cluster stopped at teardown terminates idle clients; that must not surface in the next test.
  db.on('error', () => {});
  const op = new Client({ name: 'spawner-test', version: '1' });
  await op.connect(new StreamableHTTPClientTransport(new URL(daemon.endpointUrl)));
  const raw = async (tool: string, args: Record<string, unknown> = {}, meta?: Record<string, string>) =>
    (await op.callTool({ name: tool, arguments: args, ...(meta ? { _meta: meta } : {}) }, undefined, { timeout: 120_000 })) as CallToolResult;
  let closing: Promise<void> | null = null;
  return {
    daemon, logs: sink.lines, db, op, raw,
    async call(tool, args = {}, meta) {
      const res = await raw(tool, args, meta);
      if (res.isError) throw new Error(`${tool} failed: ${JSON.stringify(res.structuredContent)}`);
      return res.structuredContent;
    },
    close: () =>
      (closing ??= (async () => {
        // Daemon first: a trigger still in flight gets its answer before the client goes.
        await daemon.close();
        await op.close().catch(() => undefined);
        await db.end();
      })()),
  };
}

/** Connects with a session token (as a session process would). */
export async function sessionClient(url: string, token: string): Promise<Client> {
  const c = new Client({ name: 'fake-session', version: '1' });
  await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { 'x-butlers-session-token': token } } }));
  return c;
}

/** Polls until `fn` returns a truthy value. */
export async function waitFor<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
