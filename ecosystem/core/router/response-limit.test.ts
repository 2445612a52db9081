import http from 'node:http';
import { gzipSync } from 'node:zlib';
import type net from 'node:net';
import { expect, test } from '@playwright/test';
import { classifyCallError } from './classify-error.ts';
import { ResponseTooLargeError, sizeLimitedFetch } from './response-limit.ts';

// /declared answers N bytes with a content-length; /chunked writes N bytes in 1 KB chunks without one.
let server: http.Server;
let base: string;

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const n = Number(url.searchParams.get('bytes'));
    if (url.pathname === '/declared') return void res.writeHead(200, { 'content-type': 'application/json', 'content-length': n }).end(Buffer.alloc(n, 120));
    if (url.pathname === '/gzip') {
      const z = gzipSync(Buffer.alloc(n, 120));
      return void res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': z.length }).end(z);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(1024, 120);
    let left = n;
    const next = () => {
      if (left <= 0) return void res.end();
      const part = chunk.subarray(0, Math.min(1024, left));
      left -= part.length;
      res.write(part, () => setImmediate(next));
    };
    next();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const post = (f: ReturnType<typeof sizeLimitedFetch>, path: string) => f(`${base}${path}`, { method: 'POST', body: '{}' });
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);

test('answers within the limit are read whole, with or without a content-length', async () => {
  const f = sizeLimitedFetch(10_000);
  expect((await (await post(f, '/declared?bytes=10000')).text()).length).toBe(10_000);
  expect((await (await post(f, '/chunked?bytes=9000')).text()).length).toBe(9_000);
});

test('a declared length over the limit is refused before the body is read', async () => {
  const err = await failure(post(sizeLimitedFetch(10_000), '/declared?bytes=10001'));
  expect(err).toBeInstanceOf(ResponseTooLargeError);
  expect(err).toMatchObject({ code: 'RESPONSE_TOO_LARGE', bytes: 10_001, limit: 10_000 });
});

test('a body that grows past the limit is cut while it is read', async () => {
  const res = await post(sizeLimitedFetch(10_000), '/chunked?bytes=50000');
  expect(res.status).toBe(200);
  const err = await failure(res.json());
  expect(err).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 10_000 });
  expect((err as ResponseTooLargeError).bytes).toBeLessThanOrEqual(10_000 + 1024);
});

test('a compressed answer whose declared length is small is still counted as it decodes', async () => {
  const res = await post(sizeLimitedFetch(10_000), '/gzip?bytes=50000');
  const err = await failure(res.text());
  expect(err).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 10_000 });
});

test('the standalone GET event stream is not limited', async () => {
  const res = await sizeLimitedFetch(1_000)(`${base}/chunked?bytes=5000`, { method: 'GET' });
  expect((await res.text()).length).toBe(5_000);
});

test('the router maps it to malformed_response / response_too_large, not counted, client dropped', async () => {
  const f = classifyCallError(new TypeError('fetch failed', { cause: new ResponseTooLargeError(20, 10, false) }), false, 1000);
  expect(f).toMatchObject({ error: 'malformed_response', error_class: 'response_too_large', counts: false, discard: true });
  expect(f.message).toContain('over the 10-byte limit');
});
