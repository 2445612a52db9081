// startModelDouble(): the Anthropic Messages API double on 127.0.0.1, with its
// control API under /__control.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control-api.ts';
import { type ModelDoubleControl, localControl } from './control.ts';
import { FaultStore } from './faults.ts';
import { HoldRegistry } from './holds.ts';
import { type ModelDoubleLogger, errorBody, handleMessages } from './messages-endpoint.ts';
import { PromptCache } from './prompt-cache.ts';
import { RequestLog } from './request-log.ts';
import type { RequestLogEntry } from './types.ts';

/** Options of `startModelDouble`. */
export interface ModelDoubleOptions {
  /** The fake key clients must send (`x-api-key` or `Authorization: Bearer`). */
  apiKey: string;
  /** Optional pino-compatible logger: requests at debug, fired faults at info. */
  log?: ModelDoubleLogger;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

/** A running model double. `close()` is safe to call twice. */
export interface ModelDoubleHandle {
  /** Base URL to give the SDK as `baseURL`, e.g. http://127.0.0.1:40123 */
  url: string;
  apiKey: string;
  control: ModelDoubleControl;
  /** The request log, newest last (same rows as GET /__control/requests). */
  requests(): RequestLogEntry[];
  close(): Promise<void>;
}

const MAX_BODY = 32 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startModelDouble(options: ModelDoubleOptions): Promise<ModelDoubleHandle> {
  if (typeof options?.apiKey !== 'string' || options.apiKey === '') {
    throw new Error('startModelDouble: option apiKey must be a non-empty string (the fake key clients will send)');
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`startModelDouble: option port must be an integer 0-65535 (0 = any free port), got ${String(port)}`);
  }
  const faults = new FaultStore();
  const requests = new RequestLog();
  const holds = new HoldRegistry();
  const control = localControl(faults, requests, holds);
  const deps = { apiKey: options.apiKey, faults, requests, holds, cache: new PromptCache(), logger: options.log };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = await readBody(req);
      if (raw === null) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(JSON.stringify(errorBody('request_too_large', `request body exceeds ${MAX_BODY} bytes`)));
        return;
      }
      if (url.pathname.startsWith('/__control')) {
        await handleControl(req.method ?? 'GET', url, raw, res, control, faults);
      } else if (req.method === 'POST' && url.pathname.replace(/\/+$/, '') === '/v1/messages') {
        await handleMessages(req, res, raw, deps);
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(errorBody('not_found_error', `${req.method} ${url.pathname} is not served; the double serves POST /v1/messages`)));
      }
    })().catch((err: unknown) => {
      options.log?.warn({ err: String(err) }, 'model double handler failed');
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(errorBody('api_error', `model double internal error: ${String(err)}`)));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`startModelDouble: cannot listen on 127.0.0.1:${port} (${err.code ?? err.message}); pass port 0 for a free port`)),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${bound}`,
    apiKey: options.apiKey,
    control,
    requests: () => requests.list(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        holds.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
