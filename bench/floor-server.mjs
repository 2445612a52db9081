// The bench's MCP floor: a bare MCP SDK server (McpServer +
// StreamableHTTPServerTransport, one stateful session per client, JSON
// responses, as the daemons run it) on 127.0.0.1:0 with one no-op tool.
// Started as its own process by bench/floors.ts; prints `PORT <n>` on stdout
// and serves until it is killed or its stdin closes.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

const sessions = new Map();

function newServer() {
  const server = new McpServer({ name: 'bench-floor', version: '0.0.0' });
  server.registerTool('noop', { description: 'Does nothing.', inputSchema: {} }, async () => ({ content: [{ type: 'text', text: '{}' }], structuredContent: {} }));
  return server;
}

const httpServer = http.createServer(async (req, res) => {
  try {
    const sid = req.headers['mcp-session-id'];
    if (typeof sid === 'string') {
      const t = sessions.get(sid);
      if (!t) {
        res.writeHead(404).end();
        return;
      }
      await t.handleRequest(req, res);
      return;
    }
    const server = newServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => void sessions.set(id, transport),
      onsessionclosed: (id) => void sessions.delete(id),
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  } catch (err) {
    if (!res.headersSent) res.writeHead(500).end(String(err));
  }
});
httpServer.keepAliveTimeout = 65_000;
httpServer.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${httpServer.address().port}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
