import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export type McpTransportKind = 'streamable' | 'sse';

/** A tool call's outcome as the harness sees it: structured JSON plus the error flag. */
export interface ToolOutcome<T = any> {
  isError: boolean;
  /** `structuredContent`, or the JSON parsed from the first text block. */
  data: T;
  text: string;
}

export interface McpHandle {
  url: string;
  client: Client;
  /** Calls a tool and returns the outcome whatever `isError` says. */
  callTool<T = any>(name: string, args?: Record<string, unknown>, opts?: CallOptions): Promise<ToolOutcome<T>>;
  /** Calls a tool and throws a readable error when the result is `isError`. */
  call<T = any>(name: string, args?: Record<string, unknown>, opts?: CallOptions): Promise<T>;
  listTools(): Promise<{ name: string; description?: string; inputSchema: any }[]>;
  close(): Promise<void>;
}

export interface CallOptions {
  /** Extra `_meta` (e.g. a traceparent); a root traceparent is added when absent. */
  meta?: Record<string, unknown>;
  timeoutMs?: number;
}

export interface ConnectOptions {
  transport?: McpTransportKind;
  headers?: Record<string, string>;
  clientName?: string;
  /** Fixed traceparent for every call of this client (a test's root trace). */
  traceparent?: string;
}

/** A W3C traceparent with a fresh random trace and span id. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/**
 * Connects to a butler's MCP endpoint. `url` is the `/mcp` URL; with
 * `transport: 'sse'` the legacy `/sse` endpoint on the same origin is used.
 */
export async function connectMcp(url: string, opts: ConnectOptions = {}): Promise<McpHandle> {
  const kind = opts.transport ?? 'streamable';
  const requestInit = opts.headers ? { headers: opts.headers } : undefined;
  const transport =
    kind === 'sse'
      ? new SSEClientTransport(new URL('/sse', url), { requestInit, eventSourceInit: opts.headers ? sseInit(opts.headers) : undefined })
      : new StreamableHTTPClientTransport(new URL(url), { requestInit });
  const client = new Client({ name: opts.clientName ?? 'butlers-e2e-harness', version: '0.1.0' });
  try {
    await client.connect(transport);
  } catch (err) {
    await client.close().catch(() => {});
    throw new Error(`cannot connect to MCP ${kind} endpoint ${kind === 'sse' ? new URL('/sse', url).href : url}: ${(err as Error).message}`);
  }
  let closed = false;

  const callTool = async <T>(name: string, args: Record<string, unknown> = {}, o: CallOptions = {}) => {
    const meta = { traceparent: opts.traceparent ?? newTraceparent(), ...o.meta };
    const res = await client.callTool({ name, arguments: args, _meta: meta }, undefined, {
      timeout: o.timeoutMs ?? 120_000,
    });
    return toOutcome<T>(res as any);
  };

  return {
    url,
    client,
    callTool,
    async call<T>(name: string, args: Record<string, unknown> = {}, o: CallOptions = {}) {
      const out = await callTool<T>(name, args, o);
      if (out.isError) {
        const code = (out.data as any)?.error ?? 'tool_error';
        throw new Error(`tool ${name} at ${url} failed with ${code}: ${(out.data as any)?.message ?? out.text}`);
      }
      return out.data;
    },
    async listTools() {
      const res = await client.listTools();
      return res.tools as any;
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close().catch(() => {});
    },
  };
}

export function toOutcome<T>(res: { isError?: boolean; structuredContent?: unknown; content?: { type: string; text?: string }[] }): ToolOutcome<T> {
  const text = (res.content ?? []).filter((c) => c.type === 'text').map((c) => c.text ?? '').join('\n');
  let data: unknown = res.structuredContent;
  if (data === undefined) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  return { isError: res.isError === true, data: data as T, text };
}

function sseInit(headers: Record<string, string>) {
  return {
    fetch: (input: string | URL | Request, init?: RequestInit) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
  } as any;
}
