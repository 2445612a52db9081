import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { HttpClientTransport } from '../mcp/http-client-transport.ts';
import { toJsonRpcMessage } from '../mcp/jsonrpc.ts';
import { sharedSchemaValidator } from '../mcp/schema-validator.ts';
import { MAX_RESPONSE_BYTES } from './response-limit.ts';

/** Idle time after which a cached client is pinged before use (docs/ecosystem.md §8.5 step 6). */
export const IDLE_PING_MS = 30_000;
// Long enough for a healthy server to forget the session, short enough for shutdown.
const TERMINATE_WAIT_MS = 300;
// Our own deadline signal always fires first; this only keeps the SDK's 60 s default out of the way.
const SDK_TIMEOUT_SLACK_MS = 60_000;

interface Entry {
  url: string;
  client: Client;
  transport: HttpClientTransport;
  targets: Set<string>;
  lastUsed: number;
  active: number;
  discarded: boolean;
  closed: boolean;
}

/** A client borrowed for one call; `release` says whether it may be reused. */
export interface Lease {
  client: Client;
  /** Created (connected) during this acquire, not taken from the cache. */
  fresh: boolean;
  release(outcome: 'keep' | 'discard'): void;
}

export interface ClientCacheOptions {
  clientName: string;
  version: string;
  idlePingMs?: number;
  /** Largest answer a client reads (`switchboard.max_response_bytes`); default 8 MiB. */
  maxResponseBytes?: number;
  /** Told when an idle cached client failed its ping and was replaced. */
  onStale?: (url: string, target: string, reason: string) => void;
}

/**
 * One MCP client per endpoint URL. A discarded client leaves the cache at
 * once but is closed only when its last in-flight call returns, so one failed
 * call never aborts a concurrent healthy one on the same connection.
 */
export class ClientCache {
  private readonly entries = new Map<string, Entry>();
  private readonly connecting = new Map<string, Promise<Entry>>();
  private readonly all = new Set<Entry>();

  constructor(private readonly o: ClientCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** A cached client (pinged first when idle) or a newly connected one; `signal` bounds connect and ping. */
  async acquire(url: string, target: string, signal: AbortSignal): Promise<Lease> {
    const cached = this.entries.get(url);
    if (cached) {
      const idle = Date.now() - cached.lastUsed > (this.o.idlePingMs ?? IDLE_PING_MS);
      let usable = true;
      if (idle && cached.active === 0) {
        cached.active++;
        try {
          await cached.client.ping({ signal, timeout: SDK_TIMEOUT_SLACK_MS });
        } catch (err) {
          usable = false;
          if (!signal.aborted) {
            this.o.onStale?.(url, target, `idle ${Math.round((Date.now() - cached.lastUsed) / 1000)} s and the ping failed: ${(err as Error).message}`);
          }
        } finally {
          cached.active--;
        }
        if (!usable) {
          await this.discard(cached);
          signal.throwIfAborted();
        }
      }
      if (usable && !cached.discarded) return this.lease(cached, target, false);
    }
    let pending = this.connecting.get(url);
    if (!pending) {
      pending = this.connect(url, signal).finally(() => this.connecting.delete(url));
      this.connecting.set(url, pending);
    }
    return this.lease(await pending, target, true);
  }

  /** Drops the clients whose URL is in `urls` (all when omitted); returns how many were cached. */
  async clear(urls?: Iterable<string>): Promise<number> {
    const wanted = urls ? new Set(urls) : null;
    const victims = [...this.entries.values()].filter((e) => !wanted || wanted.has(e.url));
    await Promise.all(victims.map((e) => this.discard(e, true)));
    return victims.length;
  }

  /** URLs cached for a target name (a target may have moved: every URL it was reached at). */
  urlsOf(target: string): string[] {
    return [...this.entries.values()].filter((e) => e.targets.has(target)).map((e) => e.url);
  }

  /** Closes every client, in flight or not; returns how many were cached. */
  async close(): Promise<number> {
    const cached = this.entries.size;
    this.entries.clear();
    await Promise.all([...this.all].map((e) => this.shut(e, true)));
    return cached;
  }

  private lease(entry: Entry, target: string, fresh: boolean): Lease {
    entry.active++;
    entry.targets.add(target);
    let released = false;
    return {
      client: entry.client,
      fresh,
      release: (outcome) => {
        if (released) return;
        released = true;
        entry.active--;
        entry.lastUsed = Date.now();
        if (outcome === 'discard') void this.discard(entry);
        else if (entry.discarded && entry.active === 0) void this.shut(entry, false);
      },
    };
  }

  private async connect(url: string, signal: AbortSignal): Promise<Entry> {
    const client = new Client({ name: this.o.clientName, version: this.o.version }, { jsonSchemaValidator: sharedSchemaValidator });
    // Errors surface on the call that hit them; the client-level hook would only duplicate them.
    client.onerror = () => undefined;
    const transport = new HttpClientTransport(new URL(url), { maxResponseBytes: this.o.maxResponseBytes ?? MAX_RESPONSE_BYTES, validate: toJsonRpcMessage });
    try {
      await client.connect(transport, { signal, timeout: SDK_TIMEOUT_SLACK_MS });
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    const entry: Entry = { url, client, transport, targets: new Set(), lastUsed: Date.now(), active: 0, discarded: false, closed: false };
    this.entries.set(url, entry);
    this.all.add(entry);
    return entry;
  }

  private async discard(entry: Entry, polite = false): Promise<void> {
    entry.discarded = true;
    if (this.entries.get(entry.url) === entry) this.entries.delete(entry.url);
    if (entry.active === 0) await this.shut(entry, polite);
  }

  /** `polite`: the server is presumably healthy, so end its session (DELETE) before closing. */
  private async shut(entry: Entry, polite: boolean): Promise<void> {
    if (entry.closed) return;
    entry.closed = true;
    this.all.delete(entry);
    if (polite && entry.transport.sessionId) {
      await Promise.race([
        entry.transport.terminateSession().catch(() => undefined),
        new Promise((r) => setTimeout(r, TERMINATE_WAIT_MS).unref()),
      ]);
    }
    await entry.client.close().catch(() => undefined);
  }
}
