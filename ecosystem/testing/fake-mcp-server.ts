import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A tool of the fake server; throw McpError for protocol errors, return isError for tool errors. */
export interface FakeTool {
  name: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  handler(args: Record<string, unknown>, call: FakeCall): Promise<{ value: unknown; isError?: boolean }>;
}

/** One call the fake server received. */
export interface FakeCall {
  name: string;
  args: Record<string, unknown>;
  meta: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

export interface FakeMcpServer {
  url: string;
  calls: FakeCall[];
  /** Header sets of every HTTP request (to check what a client sent). */
  requests: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

/**
 * A stateless Streamable HTTP MCP server for tests of MCP clients (the session
 * runtime, the heartbeat): a fresh server per request, tools from the list.
 */
export async function startFakeMcpServer(port: number, tools: FakeTool[]): Promise<FakeMcpServer> {
  const calls: FakeCall[] = [];
  const requests: http.IncomingHttpHeaders[] = [];
  const httpServer = http.createServer((req, res) => {
    requests.push(req.headers);
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const server = new Server({ name: 'fake', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: tools.map((t) => ({ name: t.name, description: t.description ?? t.name, inputSchema: (t.inputSchema ?? { type: 'object', properties: {} }) as { type: 'object' } })),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (r): Promise<CallToolResult> => {
      const tool = tools.find((t) => t.name === r.params.name);
      if (!tool) throw new McpError(ErrorCode.InvalidParams, `Tool ${r.params.name} not found`);
      const call: FakeCall = { name: tool.name, args: r.params.arguments ?? {}, meta: (r.params._meta ?? {}) as Record<string, unknown>, headers: req.headers };
      calls.push(call);
      const { value, isError } = await tool.handler(call.args, call);
      const structured = (value && typeof value === 'object' ? value : { result: value }) as Record<string, unknown>;
      return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured, ...(isError ? { isError: true } : {}) };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => void server.close().catch(() => undefined));
    void server.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (httpServer.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${bound}/mcp`,
    calls,
    requests,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      })),
  };
}
