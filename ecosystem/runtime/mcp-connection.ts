import { readFileSync } from 'node:fs';
import type Anthropic from '@anthropic-ai/sdk';
import { HttpClientTransport } from '../core/mcp/http-client-transport.ts';
import { LeanMcpClient, McpCallError, type LeanTool } from '../core/mcp/lean-client.ts';
import type { McpConfigFile } from './protocol.ts';

/** What one tool call produced: the text the model reads and the value recorded in tool_calls. */
export interface ToolOutcome {
  text: string;
  result: unknown;
  isError: boolean;
}

/** The session's only MCP connection: its butler's own server, authenticated by the session token. */
export interface SessionServer {
  name: string;
  url: string;
  tools: Anthropic.Tool[];
  has(name: string): boolean;
  call(name: string, args: unknown, meta: Record<string, string>): Promise<ToolOutcome>;
  close(): Promise<void>;
}

/** Reads the config file; anything but exactly one http server with a URL is refused. */
export function readMcpConfig(file: string): { name: string; url: string; headers: Record<string, string> } {
  let parsed: McpConfigFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as McpConfigFile;
  } catch (err) {
    throw new Error(`MCP config ${file} cannot be read as JSON: ${(err as Error).message}`);
  }
  const servers = Object.entries(parsed?.mcpServers ?? {});
  if (servers.length !== 1) throw new Error(`MCP config ${file} must name exactly one server under mcpServers, found ${servers.length}`);
  const [name, server] = servers[0];
  if (typeof server?.url !== 'string') throw new Error(`MCP config ${file}: server ${name} has no url`);
  return { name, url: server.url, headers: { ...(server.headers ?? {}) } };
}

// Gated tools wait for an approval and tools may be slow; the spawner's session timeout is the real bound.
const CALL_TIMEOUT_MS = 30 * 60_000;

export async function connectSessionServer(configFile: string, clientName: string, version: string): Promise<SessionServer> {
  const cfg = readMcpConfig(configFile);
  // The lean client, not the SDK's: see ecosystem/core/mcp/lean-client.ts (a session process's start).
  const client = new LeanMcpClient(new HttpClientTransport(new URL(cfg.url), { headers: cfg.headers }), { name: clientName, version });
  await client.connect();
  const listed = await client.listTools();
  const names = new Set(listed.map((t) => t.name));
  return {
    name: cfg.name,
    url: cfg.url,
    tools: listed.map(toAnthropicTool),
    has: (n) => names.has(n),
    async call(name, args, meta) {
      if (!names.has(name)) {
        const message = `Tool ${name} not found: it is not among the tools this session was given`;
        return { text: JSON.stringify({ error: 'tool_not_found', message }), result: { error: 'tool_not_found', message }, isError: true };
      }
      try {
        const res = await client.callTool(name, (args ?? {}) as Record<string, unknown>, meta, CALL_TIMEOUT_MS);
        const text = res.content.map((c) => (c.type === 'text' ? c.text : JSON.stringify(c))).join('\n');
        return { text: text || JSON.stringify(res.structuredContent ?? null), result: res.structuredContent ?? parseMaybe(text), isError: res.isError === true };
      } catch (err) {
        const code = err instanceof McpCallError && /not found/i.test(err.message) ? 'tool_not_found' : 'mcp_call_failed';
        const message = (err as Error).message;
        return { text: JSON.stringify({ error: code, message }), result: { error: code, message }, isError: true };
      }
    },
    close: () => client.close().catch(() => undefined),
  };
}

function toAnthropicTool(t: LeanTool): Anthropic.Tool {
  return { name: t.name, description: t.description ?? '', input_schema: t.inputSchema as Anthropic.Tool['input_schema'] };
}

function parseMaybe(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
