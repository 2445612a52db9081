// A small MCP client for the session runtime: initialize, tools/list,
// tools/call, over HttpClientTransport, with no MCP SDK value import.
//
// Why not the SDK's Client here: a session process starts for every session,
// and importing the SDK builds its zod schemas (several hundred) before the
// first line of the session runs. Profiled, that was about a fifth of a
// session process's start, plus the garbage it left (docs/performance.md,
// "Session start"). The daemons, the router and the harness keep the SDK's
// Client; this one speaks the same protocol to one trusted server, the
// session's own butler.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { HttpClientTransport } from './http-client-transport.ts';

/** The protocol versions this client offers and accepts (the SDK's, newest first). */
export const PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07'];

/** A JSON-RPC error answer; the message reads like the SDK's McpError ("MCP error -32602: …"). */
export class McpCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`MCP error ${code}: ${message}`);
    this.name = 'McpCallError';
  }
}

export interface LeanTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

export interface LeanCallResult {
  content: Array<{ type: string; text?: string; [k: string]: unknown }>;
  structuredContent?: unknown;
  isError?: boolean;
}

interface Pending {
  resolve(result: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class LeanMcpClient {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  serverVersion: { name?: string; version?: string } | undefined;

  constructor(
    private readonly transport: HttpClientTransport,
    private readonly clientInfo: { name: string; version: string },
  ) {
    transport.onmessage = (m) => this.receive(m);
    transport.onclose = () => this.fail(new McpCallError(-32000, 'Connection closed'));
  }

  async connect(timeoutMs = 60_000): Promise<void> {
    await this.transport.start();
    const init = (await this.request('initialize', { protocolVersion: PROTOCOL_VERSIONS[0], capabilities: {}, clientInfo: this.clientInfo }, timeoutMs)) as {
      protocolVersion?: string;
      serverInfo?: { name?: string; version?: string };
    };
    if (!init?.protocolVersion || !PROTOCOL_VERSIONS.includes(init.protocolVersion)) {
      await this.close();
      throw new Error(`Server's protocol version is not supported: ${init?.protocolVersion}`);
    }
    this.serverVersion = init.serverInfo;
    this.transport.setProtocolVersion(init.protocolVersion);
    await this.transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  /** Every tool, following `nextCursor`. */
  async listTools(timeoutMs = 60_000): Promise<LeanTool[]> {
    const out: LeanTool[] = [];
    let cursor: string | undefined;
    do {
      const page = (await this.request('tools/list', cursor ? { cursor } : {}, timeoutMs)) as { tools?: LeanTool[]; nextCursor?: string };
      if (!Array.isArray(page?.tools)) throw new Error('tools/list answered without a tools array');
      out.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  async callTool(name: string, args: Record<string, unknown>, meta: Record<string, unknown> | undefined, timeoutMs: number): Promise<LeanCallResult> {
    const res = (await this.request('tools/call', { name, arguments: args, ...(meta ? { _meta: meta } : {}) }, timeoutMs)) as LeanCallResult;
    if (!res || !Array.isArray(res.content)) throw new Error(`tools/call ${name} answered without a content array`);
    return res;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.transport.close();
    this.fail(new McpCallError(-32000, 'Connection closed'));
  }

  private request(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new McpCallError(-32000, 'Not connected'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new McpCallError(-32001, 'Request timed out', { timeout: timeoutMs }));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.transport.send({ jsonrpc: '2.0', id, method, params } as JSONRPCMessage).catch((err: Error) => {
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        clearTimeout(p.timer);
        p.reject(err);
      });
    });
  }

  private receive(m: JSONRPCMessage): void {
    const id = (m as { id?: unknown }).id;
    if (typeof id !== 'number') return; // notifications and server requests: this client declares no capability for them
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in m) {
      const e = (m as { error: { code: number; message: string; data?: unknown } }).error;
      p.reject(new McpCallError(e.code, e.message, e.data));
    } else {
      p.resolve((m as { result: unknown }).result);
    }
  }

  private fail(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }
}
