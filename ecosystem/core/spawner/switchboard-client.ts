import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { HttpClientTransport } from '../mcp/http-client-transport.ts';
import { toJsonRpcMessage } from '../mcp/jsonrpc.ts';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { sharedSchemaValidator } from '../mcp/schema-validator.ts';
import { startSpan } from '../trace/span.ts';

/**
 * The heartbeat's single MCP client, to the switchboard only (SEC-19), as
 * an operator (no session token). Connected on first use; a client
 * whose call failed at the transport level is dropped and rebuilt next time.
 */
export class SwitchboardClient {
  private client: Promise<Client> | null = null;
  private closed = false;

  constructor(
    readonly url: string,
    private readonly clientName: string,
  ) {}

  async call(name: string, args: Record<string, unknown>, meta: Record<string, string>, timeoutMs: number): Promise<CallToolResult> {
    const cached = this.client !== null;
    // A client span naming where the call went: SEC-19 reads it to prove butlers only ever call the switchboard.
    const span = startSpan(`mcp.call ${name}`, meta.traceparent, { 'rpc.system': 'mcp', 'tool.name': name, 'server.url': this.url, 'peer.service': 'butler-switchboard' }, { kind: 'client' });
    const callMeta = { ...meta, traceparent: span.traceparent };
    try {
      let res: CallToolResult;
      try {
        res = await this.attempt(name, args, callMeta, timeoutMs);
      } catch (err) {
        // 404 = the switchboard restarted and forgot our MCP session: the call never ran, so one retry is safe.
        if (!cached || (err as { code?: unknown }).code !== 404) throw err;
        res = await this.attempt(name, args, callMeta, timeoutMs);
      }
      span.end(res.isError ? { error: 'tool_error' } : undefined);
      return res;
    } catch (err) {
      span.end({ error: (err as Error)?.message ?? String(err) });
      throw err;
    }
  }

  private async attempt(name: string, args: Record<string, unknown>, meta: Record<string, string>, timeoutMs: number): Promise<CallToolResult> {
    if (this.closed) throw new Error('the switchboard client is closed (the butler is shutting down)');
    const pending = (this.client ??= this.connect());
    let client: Client;
    try {
      client = await pending;
    } catch (err) {
      if (this.client === pending) this.client = null;
      throw new Error(`cannot connect to the switchboard at ${this.url}: ${(err as Error).message}`);
    }
    try {
      return (await client.callTool({ name, arguments: args, _meta: meta }, undefined, { timeout: timeoutMs })) as CallToolResult;
    } catch (err) {
      // A JSON-RPC error (e.g. unknown tool) came from a working connection; anything else may have broken it.
      if (!(err instanceof McpError) || err.code === -32001) this.drop(pending);
      throw err;
    }
  }

  /** Closes the connection; returns 1 when one was open (for the shutdown line). */
  async close(): Promise<number> {
    this.closed = true;
    const pending = this.client;
    this.client = null;
    if (!pending) return 0;
    const client = await pending.catch(() => null);
    await client?.close().catch(() => undefined);
    return client ? 1 : 0;
  }

  private async connect(): Promise<Client> {
    const client = new Client({ name: this.clientName, version: '1' }, { jsonSchemaValidator: sharedSchemaValidator });
    await client.connect(new HttpClientTransport(new URL(this.url), { validate: toJsonRpcMessage }));
    return client;
  }

  private drop(pending: Promise<Client>): void {
    if (this.client !== pending) return;
    this.client = null;
    void pending.then((c) => c.close()).catch(() => undefined);
  }
}

/** True for the JSON-RPC "tool not found" answer. */
export function isToolNotFound(err: unknown): boolean {
  return err instanceof McpError && /not found/i.test(err.message);
}
