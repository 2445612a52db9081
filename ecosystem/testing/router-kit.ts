import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import { z } from 'zod';
import type { SpawnerResult } from '../../contracts/spawner-result.ts';
import { startDaemon, type DaemonHandle } from '../daemon/daemon.ts';
import type { DaemonExtension } from '../core/extension.ts';
import { logSink } from './test-roster.ts';
import { defineTool } from '../core/tool.ts';
import type { ThrowawayCluster } from '../../staging/testing/throwaway-cluster.ts';
import { routerExtension } from '../core/router/extension.ts';

// Test support for the router and the switchboard pipeline: in-process
// daemons on real PostgreSQL, a scriptable spawner and a scriptable `trigger`.

const ROSTER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'roster');

/** A SpawnerResult with defaults for whatever the test does not care about. */
export function spawnerResult(p: Partial<SpawnerResult> = {}): SpawnerResult {
  const success = p.success ?? true;
  return {
    output: success ? 'done' : null, success, tool_calls: [], error: success ? null : 'api_error', duration_ms: 5,
    model: 'claude-haiku-4-5-20251001', session_id: randomUUID(), input_tokens: 1, output_tokens: 1, lock_wait_ms: 0, ...p,
  };
}

/** The spawner request as the fake received it. */
export type SpawnCall = { prompt: string; kind: string; triggerSource: string; requestId?: string; tag?: string; timeoutMs?: number; traceparent?: string };

/** A spawner service whose answers the test scripts (`reply`); every request is kept in `calls`. */
export function fakeSpawner() {
  const state = {
    calls: [] as SpawnCall[],
    reply: (_req: SpawnCall): SpawnerResult | Promise<SpawnerResult> => spawnerResult(),
  };
  const extension: DaemonExtension = {
    name: 'fake-spawner',
    start: async () => ({
      services: {
        spawner: {
          run: async (req: SpawnCall) => (state.calls.push(req), state.reply(req)),
          status: () => ({ busy: false, queue_depth: 0, current_session_id: null, model: 'claude-haiku-4-5-20251001', mode: 'double' }),
        },
      },
    }),
  };
  return { state, extension };
}

/** One `trigger` call a fake target received. */
export type TriggerCall = { args: Record<string, any>; meta: Record<string, unknown>; at: number; end?: number };
export type TriggerBehaviour = { delayMs?: number; result?: Partial<SpawnerResult>; fail?: { code: string; message: string } };

/** An operator `trigger` tool that answers as scripted by `behave`. */
export function fakeTrigger() {
  const state = { calls: [] as TriggerCall[], behave: (_args: Record<string, any>): TriggerBehaviour => ({}) };
  const tool = defineTool({
    name: 'trigger',
    audience: 'operator',
    description: 'Run a session.\n\nUse when: never by a model.',
    input: {
      prompt: z.string().min(1), trigger_source: z.string().default('external'), request_id: z.string().uuid().optional(),
      subrequest_id: z.string().optional(), tag: z.string().optional(), timeout_ms: z.number().optional(),
    },
    handler: async (args, ctx) => {
      const call: TriggerCall = { args, meta: ctx.meta, at: Date.now() };
      state.calls.push(call);
      const b = state.behave(args);
      if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
      call.end = Date.now();
      if (b.fail) throw Object.assign(new Error(b.fail.message), { name: 'ToolError', code: b.fail.code });
      return spawnerResult({ output: `${ctx.butler} did: ${args.prompt}`, ...b.result });
    },
  });
  const extension: DaemonExtension = { name: 'fake-trigger', start: async () => ({ tools: [tool] }) };
  return { state, extension };
}

/** A running test daemon with its log lines and an operator MCP client. */
export interface TestDaemon {
  daemon: DaemonHandle;
  lines: Array<Record<string, any>>;
  db: pg.Pool;
  /** Calls a tool as the operator; returns structured content and the error flag. */
  call(tool: string, args?: Record<string, unknown>, meta?: Record<string, unknown>): Promise<{ sc: any; isError: boolean }>;
  close(): Promise<void>;
}

/** Temp folder for overlays; `remove()` at the end. */
export function overlayDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'router-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface StartOptions {
  cluster: ThrowawayCluster;
  dir: string;
  butler: string;
  port: number;
  dbName: string;
  /** Extra overlay TOML (e.g. a [switchboard] table). */
  overlay?: string;
  extensions?: DaemonExtension[];
  env?: NodeJS.ProcessEnv;
}

/** Starts `roster/<butler>` in-process with an overlay pointing at the throwaway cluster. */
export async function startButler(o: StartOptions): Promise<TestDaemon> {
  const file = path.join(o.dir, `${o.dbName}-${o.port}.toml`);
  writeFileSync(
    file,
    `[butler]\nport = ${o.port}\n[db]\nhost = "127.0.0.1"\nport = ${o.cluster.port}\nuser = "postgres"\nprovision = true\nname = "${o.dbName}"\n` +
      `pool_max = 4\n[log]\nlevel = "debug"\n${o.overlay ?? ''}`,
  );
  const sink = logSink();
  const daemon = await startDaemon({ rosterDir: path.join(ROSTER, o.butler), overlayPath: file, env: o.env ?? {}, destination: sink.stream, extensions: o.extensions ?? [] });
  const db = new pg.Pool({ connectionString: o.cluster.url(o.dbName), max: 3 });
  // A cluster stopped at teardown terminates idle clients; that must not surface in the next test.
  db.on('error', () => {});
  let client: Client | null = null;
  const connect = async () => {
    if (client) return client;
    const c = new Client({ name: 'router-test', version: '1' });
    await c.connect(new StreamableHTTPClientTransport(new URL(daemon.endpointUrl)));
    return (client = c);
  };
  return {
    daemon,
    lines: sink.lines as Array<Record<string, any>>,
    db,
    async call(tool, args = {}, meta) {
      const c = await connect();
      const res = (await c.callTool({ name: tool, arguments: args, ...(meta ? { _meta: meta } : {}) }, undefined, { timeout: 120_000 })) as CallToolResult;
      return { sc: res.structuredContent, isError: res.isError === true };
    },
    async close() {
      await client?.close().catch(() => undefined);
      client = null;
      await daemon.close('test');
      await db.end().catch(() => undefined);
    },
  };
}

/** The switchboard with the router and a fake spawner. */
export function startSwitchboard(o: Omit<StartOptions, 'butler'> & { spawner: DaemonExtension }): Promise<TestDaemon> {
  return startButler({ ...o, butler: 'switchboard', extensions: [routerExtension, o.spawner, ...(o.extensions ?? [])] });
}

/** A target butler (its real roster folder) with a fake `trigger`, registered with the test switchboard. */
export function startTarget(o: Omit<StartOptions, 'extensions'> & { switchboardUrl: string; trigger: DaemonExtension }): Promise<TestDaemon> {
  return startButler({ ...o, extensions: [o.trigger], overlay: `[switchboard]\nurl = "${o.switchboardUrl}"\n${o.overlay ?? ''}` });
}

/** Polls until `fn` is truthy (or throws after `ms`). */
export async function until<T>(fn: () => Promise<T> | T, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * pg's Pool.end() resolves once its clients were told to end, not once their
 * sockets closed; stopping PostgreSQL right then can hand a just-removed client
 * a "terminating connection" error with no listener. A short pause avoids it.
 */
export function settle(ms = 300): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
