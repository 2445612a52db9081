import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ToolRegistry } from './tool-registry.ts';
import { sharedSchemaValidator } from '../mcp/schema-validator.ts';

/** What the HTTP layer attaches to a request carrying a known session token. */
export interface SessionAuth extends AuthInfo {
  extra: { sessionId: string };
}

/**
 * One low-level MCP server per connection (Streamable HTTP session or SSE
 * stream). The caller's identity is read per request from `authInfo`, so a
 * token is honoured on every message, not just on initialize.
 */
export function createMcpServer(butler: string, version: string, registry: ToolRegistry, shutdown: AbortSignal): Server {
  const server = new Server({ name: `butler-${butler}`, version }, { capabilities: { tools: { listChanged: false } }, jsonSchemaValidator: sharedSchemaValidator });
  server.setRequestHandler(ListToolsRequestSchema, async (_req, extra) => ({
    tools: registry.list({ sessionId: sessionOf(extra.authInfo) }),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const signal = AbortSignal.any([extra.signal, shutdown]);
    return registry.call(req.params.name, req.params.arguments ?? {}, {
      sessionId: sessionOf(extra.authInfo),
      meta: (req.params._meta as Record<string, unknown> | undefined) ?? {},
      signal,
    });
  });
  return server;
}

function sessionOf(auth: AuthInfo | undefined): string | null {
  const id = (auth as SessionAuth | undefined)?.extra?.sessionId;
  return typeof id === 'string' ? id : null;
}
