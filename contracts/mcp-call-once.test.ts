import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { callToolOnce } from './mcp-call-once.ts';

/**
 * A stateful SDK server on an ephemeral port: `status` answers, `broken`
 * throws, `slow` never answers. It records every HTTP method it served and
 * how many sessions are open, so the probe's DELETE is visible.
 */
async function sdkServer(opts: { json: boolean }) {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const methods: string[] = [];
  const srv = http.createServer(async (req, res) => {
    methods.push(req.method ?? '?');
    const sid = req.headers['mcp-session-id'];
    if (typeof sid === 'string') {
      const t = transports.get(sid);
      if (!t) return void res.writeHead(404).end();
      return t.handleRequest(req, res);
    }
    const server = new McpServer({ name: 'probe-test', version: '1' });
    server.tool('status', {}, async () => ({ content: [{ type: 'text', text: JSON.stringify({ butler: 'probe-test', ok: true }) }] }));
    server.tool('broken', {}, async () => {
      throw new Error('kaput');
    });
    server.tool('slow', {}, () => new Promise(() => {}));
    server.tool('echo', { text: z.string() }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
    const t: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: opts.json,
      onsessioninitialized: (id) => void transports.set(id, t),
      onsessionclosed: (id) => void transports.delete(id),
    });
    await server.connect(t);
    await t.handleRequest(req, res);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/mcp`;
  return {
    url,
    methods,
    sessions: () => transports.size,
    stop: () => new Promise<void>((r) => (srv.closeAllConnections(), srv.close(() => r()))),
  };
}

for (const json of [true, false]) {
  test(`callToolOnce: one tool call over Streamable HTTP, session deleted afterwards (${json ? 'JSON' : 'SSE'} responses)`, async () => {
    const s = await sdkServer({ json });
    try {
      const out = await callToolOnce(s.url, 'status', {}, { meta: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` } });
      expect(out.isError).toBeFalsy();
      expect(JSON.parse(out.content?.[0]?.text ?? '')).toEqual({ butler: 'probe-test', ok: true });
      const echoed = await callToolOnce(s.url, 'echo', { text: 'héllo' });
      expect(echoed.content?.[0]?.text).toBe('héllo');
      // initialize, initialized, tools/call, DELETE: twice.
      expect(s.methods).toEqual(['POST', 'POST', 'POST', 'DELETE', 'POST', 'POST', 'POST', 'DELETE']);
      expect(s.sessions()).toBe(0);
    } finally {
      await s.stop();
    }
  });
}

test('callToolOnce: a throwing tool is an isError outcome, bad arguments too; a silent server times out or is aborted', async () => {
  const s = await sdkServer({ json: true });
  try {
    const broken = await callToolOnce(s.url, 'broken');
    expect(broken.isError).toBe(true);
    expect(JSON.stringify(broken.content)).toContain('kaput');
    const bad = await callToolOnce(s.url, 'echo', { text: 42 });
    expect(bad.isError).toBe(true);
    const started = Date.now();
    await expect(callToolOnce(s.url, 'slow', {}, { timeoutMs: 300 })).rejects.toThrow(/no answer within/);
    expect(Date.now() - started).toBeLessThan(5000);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    await expect(callToolOnce(s.url, 'slow', {}, { timeoutMs: 10_000, signal: stop.signal })).rejects.toThrow(/aborted/);
    // Both abandoned calls still deleted their sessions.
    await expect.poll(() => s.sessions()).toBe(0);
  } finally {
    await s.stop();
  }
});

test('callToolOnce: a wrong endpoint fails with the HTTP status, not a parse error', async () => {
  const srv = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  try {
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/nope`;
    await expect(callToolOnce(url, 'status')).rejects.toThrow(/initialize: HTTP 404/);
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
});
