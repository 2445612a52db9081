import { readFileSync, statSync } from 'node:fs';
import type { ModelFixture } from '../../fixtures/model.ts';
import type { Ecosystem } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

export const SESSION_TOKEN_HEADER = 'x-butlers-session-token';

/** A session held open by the model double, read at the real boundary: /proc and its MCP config file. */
export interface HeldSession {
  pid: number;
  sessionId: string;
  env: Record<string, string>;
  mcpConfigPath: string;
  mcpConfig: { mcpServers: Record<string, { type: string; url: string; headers: Record<string, string> }> };
  mcpConfigMode: number;
  token: string;
  /** Releases the held model request and waits for the trigger to return. */
  finish(): Promise<unknown>;
}

/**
 * Starts `start()` (a trigger or classify that opens a session on `butler`),
 * holds the session's first model request, and reads the child's real
 * environment, command line and MCP config while it is alive.
 */
export async function holdSession(
  o: { ecosystem: Ecosystem; model: ModelFixture; butler: string; tag: string },
  start: () => Promise<unknown>,
): Promise<HeldSession> {
  const control = o.model.requireDouble();
  await o.model.fault({ match: { butler: o.butler, tag: o.tag }, action: 'hold' });
  const running = start();
  const held = await control.waitForHeld({ butler: o.butler, tag: o.tag }, 60_000);
  const db = o.ecosystem.admin(o.butler);
  const { rows } = await db.query<{ session_id: string; runtime_pid: number }>('select session_id, runtime_pid from sessions where session_id = $1', [held.session_id]);
  const { session_id: sessionId, runtime_pid: pid } = rows[0];
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  const env = Object.fromEntries(environ.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const mcpConfigPath = cmdline[cmdline.indexOf('--mcp-config') + 1];
  const mcpConfig = JSON.parse(readFileSync(mcpConfigPath, 'utf8'));
  const server = Object.values(mcpConfig.mcpServers as HeldSession['mcpConfig']['mcpServers'])[0];
  return {
    pid,
    sessionId,
    env,
    mcpConfigPath,
    mcpConfig,
    mcpConfigMode: statSync(mcpConfigPath).mode & 0o777,
    token: server?.headers?.[SESSION_TOKEN_HEADER],
    finish: async () => {
      await control.release(held.id);
      return running;
    },
  };
}

/** The names of the tools an MCP client is shown. */
export async function toolNames(client: McpHandle): Promise<string[]> {
  return (await client.listTools()).map((t) => t.name).sort();
}
