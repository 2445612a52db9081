// HTTP routes under /__control (README.md, Control API), delegating to the in-process control.
import type { ServerResponse } from 'node:http';
import type { ModelDoubleControl } from './control.ts';
import type { FaultStore } from './faults.ts';
import type { RequestLogFilter } from './types.ts';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const notFound = (res: ServerResponse, what: string): void =>
  json(res, 404, { type: 'error', error: { type: 'not_found_error', message: what } });

export async function handleControl(
  method: string,
  url: URL,
  raw: string,
  res: ServerResponse,
  control: ModelDoubleControl,
  faults: FaultStore,
): Promise<void> {
  const path = url.pathname.replace(/^\/__control/, '').replace(/\/+$/, '');
  const parts = path.split('/').filter(Boolean);
  try {
    if (parts[0] === 'faults') {
      if (method === 'POST' && parts.length === 1) {
        let body: unknown;
        try {
          body = JSON.parse(raw || '{}');
        } catch {
          throw new Error('model double fault spec is not valid JSON; send {"match":{...},"action":{...},"times":1}');
        }
        json(res, 201, await control.addFault(body as never));
        return;
      }
      if (method === 'GET' && parts.length === 1) return json(res, 200, { faults: faults.list() });
      if (method === 'DELETE' && parts.length === 1) {
        await control.clearFaults();
        return json(res, 200, { cleared: true });
      }
      if (method === 'DELETE' && parts.length === 2) {
        return (await control.removeFault(parts[1]))
          ? json(res, 200, { removed: parts[1] })
          : notFound(res, `no fault with id "${parts[1]}" (it may have fired its last time)`);
      }
    }
    if (parts[0] === 'holds' && method === 'POST' && parts.length === 3 && parts[2] === 'release') {
      return (await control.release(parts[1]))
        ? json(res, 200, { released: parts[1] })
        : notFound(res, `no held request with id "${parts[1]}"; list held ones with GET /__control/requests`);
    }
    if (parts[0] === 'requests' && method === 'GET') {
      if (parts.length === 1) {
        const q = url.searchParams;
        const filter: RequestLogFilter = {};
        for (const k of ['butler', 'tag', 'session_id', 'since'] as const) {
          const v = q.get(k);
          if (v !== null) filter[k] = v;
        }
        return json(res, 200, { requests: await control.requests(filter) });
      }
      const detail = await control.request(parts[1]);
      return detail ? json(res, 200, detail) : notFound(res, `no logged request with id "${parts[1]}"`);
    }
    notFound(res, `${method} /__control${path} is not a control route; see GET/POST/DELETE /__control/faults, /requests, /holds/:id/release`);
  } catch (err) {
    json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: (err as Error).message } });
  }
}
