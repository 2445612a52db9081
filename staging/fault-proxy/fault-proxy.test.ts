import http from 'node:http';
import net from 'node:net';
import { expect, test } from '@playwright/test';
import { startFaultProxy, type FaultProxy } from './index.ts';

// A small HTTP server behind the proxy: /small answers "ok", /big answers 5000 bytes, /blob?bytes=N answers N bytes,
// POST /upload answers how many bytes it read, /chunks writes "0".."9" as ten separate writes 10 ms apart.
const BIG = 'x'.repeat(5000);
let server: http.Server;
let serverPort: number;
let requests = 0;
let proxy: FaultProxy;

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/upload') {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(String(n)));
      return;
    }
    if (url.pathname === '/chunks') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let i = 0;
      const next = () => (i < 10 ? (res.write(String(i++)), setTimeout(next, 10)) : res.end());
      return next();
    }
    if (url.pathname === '/blob') {
      const n = Number(url.searchParams.get('bytes'));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n });
      return res.end(Buffer.alloc(n, 120));
    }
    const body = req.url === '/big' ? BIG : 'ok';
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  serverPort = (server.address() as net.AddressInfo).port;
});

test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test.beforeEach(async () => {
  proxy = await startFaultProxy({ target: serverPort, name: 'unit' });
});

test.afterEach(async () => {
  await proxy.close();
});

interface Got {
  status: number;
  body: string;
  ms: number;
  socket: net.Socket;
}

/** One GET through the proxy (`agent` false: a new connection each time). */
function get(path: string, o: { agent?: http.Agent | false; timeoutMs?: number } = {}): Promise<Got> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: proxy.port, path, agent: o.agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, ms: performance.now() - started, socket: req.socket! }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (o.timeoutMs) req.setTimeout(o.timeoutMs, () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
  });
}

const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: NodeJS.ErrnoException) => e.code ?? e.message);

/** A raw TCP connect to the proxy: 'connected', or the error code. */
function connectResult(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

test('pass forwards both ways and counts connections and bytes', async () => {
  expect(proxy.mode).toEqual({ kind: 'pass' });
  expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
  const r = await get('/big');
  expect(r.status).toBe(200);
  expect(r.body).toBe(BIG);
  const s = proxy.stats();
  expect(s.connections).toBe(1);
  expect(s.bytesToTarget).toBeGreaterThan(20);
  expect(s.bytesFromTarget).toBeGreaterThan(5000);
  expect(s.listening).toBe(true);
  proxy.resetStats();
  expect(proxy.stats()).toMatchObject({ connections: 0, bytesToTarget: 0, bytesFromTarget: 0 });
});

test('refuse closes the listener (ECONNREFUSED); pass listens again on the same port', async () => {
  const port = proxy.port;
  await proxy.refuse();
  expect(proxy.stats().listening).toBe(false);
  expect(await connectResult(port)).toBe('ECONNREFUSED');
  expect(await codeOf(get('/small'))).toBe('ECONNREFUSED');
  await proxy.pass();
  expect(proxy.port).toBe(port);
  const r = await get('/small');
  expect([r.status, r.body]).toEqual([200, 'ok']);
});

test('refuse cuts an established keep-alive connection; the next request is refused', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await get('/small', { agent });
    expect(first.body).toBe('ok');
    const kept = first.socket;
    expect(kept.destroyed).toBe(false);
    const closed = new Promise<void>((r) => kept.once('close', () => r()));
    expect(proxy.stats().active).toBe(1);
    await proxy.refuse();
    await closed;
    expect(proxy.stats()).toMatchObject({ active: 0, resets: 1 });
    expect(await codeOf(get('/small', { agent }))).toBe('ECONNREFUSED');
    await proxy.pass();
    expect((await get('/small', { agent })).body).toBe('ok');
  } finally {
    agent.destroy();
  }
});

test('latency delays each exchange: many times slower than pass, and at least the configured delay', async () => {
  const rounds = 3;
  let passMs = 0;
  for (let i = 0; i < rounds; i++) passMs += (await get('/small')).ms;
  const ms = 150;
  await proxy.latency(ms);
  expect(proxy.mode).toEqual({ kind: 'latency', ms, direction: 'both' });
  let slowMs = 0;
  for (let i = 0; i < rounds; i++) {
    const r = await get('/small');
    expect(r.body).toBe('ok');
    slowMs += r.ms;
  }
  // Lower bounds that follow from the setting (request and response each held ms), and a ratio; no upper bound.
  expect(slowMs / rounds).toBeGreaterThanOrEqual(2 * ms * 0.9);
  expect(slowMs).toBeGreaterThan(5 * passMs);
  await proxy.latency(ms, 'response');
  expect((await get('/small')).ms).toBeGreaterThanOrEqual(ms * 0.9);
});

test('latency applies to a keep-alive connection opened before the switch', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await get('/small', { agent });
    await proxy.latency(200, 'response');
    const second = await get('/small', { agent });
    expect(second.socket).toBe(first.socket);
    expect(second.ms).toBeGreaterThanOrEqual(180);
    expect(proxy.stats().connections).toBe(1);
  } finally {
    agent.destroy();
  }
});

/** POSTs `bytes` bytes to /upload through the proxy; the server's count and the time taken. */
function upload(bytes: number): Promise<{ body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, path: '/upload', method: 'POST', agent: false, headers: { 'content-length': bytes } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ body, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end(Buffer.alloc(bytes, 121));
  });
}

test('slow throttles each direction to bytes per second: N bytes take at least N / rate, the other way is not held', async () => {
  const bytes = 16 * 1024;
  const rate = 16 * 1024;
  const passMs = (await get(`/blob?bytes=${bytes}`)).ms;
  await proxy.slow(rate, 'response');
  expect(proxy.mode).toEqual({ kind: 'slow', bytesPerSecond: rate, direction: 'response' });
  const down = await get(`/blob?bytes=${bytes}`);
  expect(down.body.length).toBe(bytes);
  // Lower bound from the setting (a second's worth of bytes at that rate), and a ratio against pass; no upper bound.
  expect(down.ms).toBeGreaterThanOrEqual((bytes / rate) * 1000 * 0.9);
  expect(down.ms).toBeGreaterThan(5 * passMs);
  // Uploads are not held in 'response' mode, but are in 'request' mode.
  const upFree = await upload(bytes);
  expect(upFree.body).toBe(String(bytes));
  await proxy.slow(rate / 2, 'request');
  const upSlow = await upload(bytes / 2);
  expect(upSlow.body).toBe(String(bytes / 2));
  expect(upSlow.ms).toBeGreaterThanOrEqual(((bytes / 2) / (rate / 2)) * 1000 * 0.9);
  expect(upSlow.ms).toBeGreaterThan(3 * upFree.ms);
  expect(proxy.stats()).toMatchObject({ bytesFromTarget: expect.any(Number), resets: 0 });
});

test('slow: an answer larger than one second of bytes arrives whole, in order, at the rate', async () => {
  await proxy.slow(64 * 1024, 'both');
  const r = await get(`/blob?bytes=${96 * 1024}`);
  expect(r.body).toBe('x'.repeat(96 * 1024));
  expect(r.ms).toBeGreaterThanOrEqual(1.5 * 1000 * 0.9);
  await proxy.pass();
  expect((await get('/small')).body).toBe('ok');
});

test('latency with jitter: each chunk waits ms ± up to jitterMs, never out of order', async () => {
  // Real randomness: ten chunks written 10 ms apart, each held 60 ± 50 ms, still arrive in order.
  await proxy.latency(60, 'response', 50);
  expect(proxy.mode).toEqual({ kind: 'latency', ms: 60, direction: 'response', jitterMs: 50 });
  for (let i = 0; i < 3; i++) expect((await get('/chunks')).body).toBe('0123456789');
  // The bounds of the jitter, with the random source pinned at both ends.
  for (const [r, lower] of [[0.999, 100 + 40], [0, 100 - 40]] as const) {
    const pinned = await startFaultProxy({ target: serverPort, random: () => r });
    try {
      await pinned.latency(100, 'response', 40);
      const started = performance.now();
      const body = await new Promise<string>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: pinned.port, path: '/small', agent: false }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve(b));
        }).on('error', reject);
      });
      expect(body).toBe('ok');
      expect(performance.now() - started, `random ${r}`).toBeGreaterThanOrEqual(lower * 0.9);
    } finally {
      await pinned.close();
    }
  }
});

test('reset after N response bytes: the client gets exactly N bytes, then a connection reset', async () => {
  await proxy.resetAfter(200);
  const out = await new Promise<{ bytes: number; code: string }>((resolve) => {
    let bytes = 0;
    const s = net.connect(proxy.port, '127.0.0.1', () => s.write('GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    s.on('data', (d) => (bytes += d.length));
    s.on('error', (e: NodeJS.ErrnoException) => resolve({ bytes, code: e.code ?? e.message }));
    s.on('end', () => resolve({ bytes, code: 'clean end' }));
  });
  expect(out).toEqual({ bytes: 200, code: 'ECONNRESET' });
  expect(await codeOf(get('/big'))).toBe('ECONNRESET');
  expect(proxy.stats()).toMatchObject({ resets: 2, bytesFromTarget: 400 });
  await proxy.pass();
  expect((await get('/big')).body).toBe(BIG);
});

test('reset on an open keep-alive connection counts from the switch', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await get('/big', { agent });
    await proxy.resetAfter(100);
    expect(await codeOf(get('/big', { agent }))).toBe('ECONNRESET');
  } finally {
    agent.destroy();
  }
});

test('blackhole accepts and reads but never answers: the client times out, the target sees nothing', async () => {
  await proxy.blackhole();
  const before = requests;
  expect(await codeOf(get('/small', { timeoutMs: 400 }))).toBe('CLIENT_TIMEOUT');
  expect(requests).toBe(before);
  const s = proxy.stats();
  expect(s.connections).toBe(1);
  expect(s.bytesSwallowed).toBeGreaterThan(0);
  expect(s.bytesToTarget).toBe(0);
  await proxy.pass();
  expect((await get('/small')).body).toBe('ok');
});

test('blackhole silences a keep-alive connection opened before the switch; pass cuts it so the client reconnects', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await get('/small', { agent });
    await proxy.blackhole();
    expect(first.socket.destroyed).toBe(false);
    const before = requests;
    expect(await codeOf(get('/small', { agent, timeoutMs: 400 }))).toBe('CLIENT_TIMEOUT');
    expect(requests).toBe(before);
    await proxy.pass();
    expect((await get('/small', { agent })).body).toBe('ok');
  } finally {
    agent.destroy();
  }
});

test('a target that is down gives the client a reset, counted as an upstream failure', async () => {
  const dead = await startFaultProxy({ target: await closedPort() });
  try {
    const r = await new Promise<string>((resolve) => {
      http.get({ host: '127.0.0.1', port: dead.port, path: '/', agent: false }, () => resolve('answered')).on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(r).toBe('ECONNRESET');
    expect(dead.stats().upstreamFailures).toBe(1);
  } finally {
    await dead.close();
  }
});

test('bad modes are rejected; close is safe twice and refuses afterwards', async () => {
  await expect(proxy.latency(-1)).rejects.toThrow('latency needs ms ≥ 0');
  await expect(proxy.resetAfter(1.5)).rejects.toThrow('integer afterBytes');
  await expect(proxy.slow(0)).rejects.toThrow('bytesPerSecond > 0');
  await expect(proxy.latency(10, 'both', -1)).rejects.toThrow('jitterMs ≥ 0');
  await expect(proxy.slow(10, 'sideways' as never)).rejects.toThrow('direction must be');
  await expect(proxy.setMode({ kind: 'nope' } as never)).rejects.toThrow('unknown fault proxy mode');
  expect(proxy.mode).toEqual({ kind: 'pass' });
  const port = proxy.port;
  await proxy.close();
  await proxy.close();
  expect(await connectResult(port)).toBe('ECONNREFUSED');
  await expect(proxy.pass()).rejects.toThrow('is closed');
});

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}
