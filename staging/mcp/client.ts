import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { HttpClientTransport } from '../../ecosystem/core/mcp/http-client-transport.ts';
import { toJsonRpcMessage } from '../../ecosystem/core/mcp/jsonrpc.ts';
import type { z } from 'zod';

export type McpTransportKind = 'streamable' | 'sse';

/** A tool call's outcome as the harness sees it: structured JSON plus the error flag. */
export interface ToolOutcome<T = unknown> {
  isError: boolean;
  /** `structuredContent`, or the JSON parsed from the first text block. */
  data: T;
  text: string;
}

export interface McpHandle {
  url: string;
  client: Client;
  /** Calls a tool and returns the outcome whatever `isError` says; `data` is unchecked JSON. */
  callTool(name: string, args?: Record<string, unknown>, opts?: CallOptions): Promise<ToolOutcome>;
  /**
   * Calls a tool, throws a readable error when the result is `isError`, and
   * parses the result with `schema`: a mismatch names the tool and each
   * offending field. Without a schema the result is unchecked JSON.
   */
  call<S extends z.ZodTypeAny>(name: string, args: Record<string, unknown>, schema: S, opts?: CallOptions): Promise<z.output<S>>;
  call(name: string, args?: Record<string, unknown>, opts?: CallOptions): Promise<unknown>;
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
  /** Runs around every tool call (the mcp fixture makes pipeline-stage calls test steps with their request and response attached). */
  around?: (call: { name: string; args: Record<string, unknown>; meta: Record<string, unknown> }, run: () => Promise<ToolOutcome>) => Promise<ToolOutcome>;
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
      : new HttpClientTransport(new URL(url), { headers: opts.headers, validate: toJsonRpcMessage });
  const client = new Client({ name: opts.clientName ?? 'butlers-e2e-harness', version: '0.1.0' });
  try {
    await client.connect(transport);
  } catch (err) {
    await client.close().catch(() => {});
    throw new Error(`cannot connect to MCP ${kind} endpoint ${kind === 'sse' ? new URL('/sse', url).href : url}: ${(err as Error).message}`);
  }
  let closed = false;

  const callTool = async (name: string, args: Record<string, unknown> = {}, o: CallOptions = {}) => {
    const meta = { traceparent: opts.traceparent ?? newTraceparent(), ...o.meta };
    const run = async () => {
      const res = await client.callTool({ name, arguments: args, _meta: meta }, undefined, {
        timeout: o.timeoutMs ?? 120_000,
      });
      return toOutcome(res as Parameters<typeof toOutcome>[0]);
    };
    return opts.around ? opts.around({ name, args, meta }, run) : run();
  };

  async function call(name: string, args: Record<string, unknown> = {}, schemaOrOpts?: z.ZodTypeAny | CallOptions, maybeOpts?: CallOptions): Promise<unknown> {
    const schema = isSchema(schemaOrOpts) ? schemaOrOpts : undefined;
    const o = (isSchema(schemaOrOpts) ? maybeOpts : schemaOrOpts) ?? {};
    const out = await callTool(name, args, o);
    if (out.isError) {
      const err = out.data as { error?: string; message?: string } | undefined;
      throw new Error(`tool ${name} at ${url} failed with ${err?.error ?? 'tool_error'}: ${err?.message ?? out.text}`);
    }
    return schema ? parseResult(name, url, schema, out.data) : out.data;
  }

  return {
    url,
    client,
    callTool,
    call: call as McpHandle['call'],
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

function isSchema(x: unknown): x is z.ZodTypeAny {
  return typeof (x as { safeParse?: unknown } | undefined)?.safeParse === 'function';
}

/** `data` parsed by `schema`, or an error naming the tool and every offending field with what was found there. */
export function parseResult<S extends z.ZodTypeAny>(tool: string, url: string, schema: S, data: unknown): z.output<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(result)'}: ${i.message}`)
    .join('; ');
  const more = parsed.error.issues.length > 5 ? ` (+${parsed.error.issues.length - 5} more)` : '';
  throw new Error(`tool ${tool} at ${url} answered with a result that does not match its contract: ${fields}${more}; got ${JSON.stringify(data).slice(0, 300)}`);
}

export function toOutcome<T = unknown>(res: { isError?: boolean; structuredContent?: unknown; content?: { type: string; text?: string }[] }): ToolOutcome<T> {
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
