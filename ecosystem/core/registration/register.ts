import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { callToolOnce } from '../../../contracts/mcp-call-once.ts';
import { startSpan } from '../trace/span.ts';

/** Arguments of the switchboard's `registry_register` (docs/ecosystem.md §8.6). */
export interface RegistrationPayload {
  name: string;
  endpoint_url: string;
  description: string;
  capabilities: string[];
  tools: string[];
  routable: boolean;
  route_contract_version: 'v1';
}

export interface RegistrationOptions {
  payload: RegistrationPayload;
  log: Logger;
  version: string;
  /** Remote switchboard MCP URL; absent on the switchboard itself. */
  switchboardUrl?: string;
  /** In-process `registry_register` (the switchboard registering itself). */
  local?: (args: RegistrationPayload) => Promise<CallToolResult>;
  /** Backoff schedule in ms; defaults to 1, 2, 4 … 30 s. */
  delaysMs?: (attempt: number) => number;
  attemptTimeoutMs?: number;
}

/** The background registration loop; `stop()` ends it, aborting a call in flight (safe twice). */
export interface Registration {
  /** Resolves true once registered, false when stopped first. */
  done: Promise<boolean>;
  stop(): Promise<void>;
}

export const backoffMs = (attempt: number): number => Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));

/** Registers with the switchboard, retrying with backoff while it is unreachable or refuses. */
export function startRegistration(o: RegistrationOptions): Registration {
  const stopper = new AbortController();
  const target = o.switchboardUrl ?? 'self';

  const attempt = async (): Promise<void> => {
    if (o.local && !o.switchboardUrl) return check(await o.local(o.payload));
    // One call, one short session (deleted afterwards): a raw exchange instead
    // of an SDK client, whose first session costs a starting daemon ~0.1 s of CPU.
    const span = startSpan('mcp.call registry_register', null, { 'rpc.system': 'mcp', 'tool.name': 'registry_register', 'server.url': o.switchboardUrl, 'peer.service': 'butler-switchboard' }, { kind: 'client' });
    try {
      const res = await callToolOnce(o.switchboardUrl!, 'registry_register', { ...o.payload }, {
        timeoutMs: o.attemptTimeoutMs ?? 10_000,
        signal: stopper.signal,
        clientName: `butler-${o.payload.name}-registration`,
        clientVersion: o.version,
        meta: { traceparent: span.traceparent },
      });
      check(res as CallToolResult);
      span.end();
    } catch (err) {
      span.end({ error: (err as Error)?.message ?? String(err) });
      throw err;
    }
  };

  const done = (async () => {
    for (let n = 1; !stopper.signal.aborted; n++) {
      try {
        await attempt();
        o.log.info({ event: 'registry.registered', switchboard: target, endpoint_url: o.payload.endpoint_url, attempts: n }, `registered with the switchboard (${target})`);
        return true;
      } catch (err) {
        if (stopper.signal.aborted) break;
        const delay = (o.delaysMs ?? backoffMs)(n);
        o.log.warn(
          { event: 'registry.register_failed', switchboard: target, attempt: n, retry_in_ms: delay, error: (err as Error).message },
          `registration with ${target} failed; retrying in ${delay / 1000} s`,
        );
        await sleep(delay, stopper.signal);
      }
    }
    return false;
  })();

  return {
    done,
    stop: async () => {
      stopper.abort();
      await done.catch(() => false);
    },
  };
}

function check(res: CallToolResult): void {
  if (res.isError) {
    const sc = res.structuredContent as { error?: string; message?: string } | undefined;
    throw new Error(`registry_register returned ${sc?.error ?? 'an error'}: ${sc?.message ?? JSON.stringify(res.content)}`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
