import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SESSION_TOKEN_HEADER, type McpConfigFile } from '../../runtime/protocol.ts';

/** A session's private folder (mode 0700) holding its MCP config (mode 0600). */
export interface SessionFiles {
  dir: string;
  mcpConfig: string;
  remove(): Promise<void>;
}

/** The config content: exactly one server, keyed by the butler's name, its direct URL and the token header. */
export function mcpConfigFor(butler: string, directUrl: string, token: string): McpConfigFile {
  return { mcpServers: { [butler]: { type: 'http', url: directUrl, headers: { [SESSION_TOKEN_HEADER]: token } } } };
}

export async function writeSessionFiles(butler: string, directUrl: string, token: string): Promise<SessionFiles> {
  // mkdtemp creates the folder with mode 0700: no other user can list or read it.
  const dir = await mkdtemp(path.join(tmpdir(), `butlers-session-${butler}-`));
  const mcpConfig = path.join(dir, 'mcp.json');
  try {
    await writeFile(mcpConfig, `${JSON.stringify(mcpConfigFor(butler, directUrl, token), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot write the session MCP config in ${dir}: ${(err as Error).message}`);
  }
  return { dir, mcpConfig, remove: () => rm(dir, { recursive: true, force: true }) };
}
