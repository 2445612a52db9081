import net from 'node:net';

/**
 * What the proxy does to traffic (docs/resilience.md, Fault proxy):
 *
 * - `pass`: forwards both ways.
 * - `refuse`: the listening socket is closed, so a connect fails with
 *   ECONNREFUSED; every open connection is cut with a TCP reset.
 * - `latency`: every chunk is held `ms` before it is forwarded (order kept),
 *   in both directions by default, so one request/response exchange takes at
 *   least `ms` longer (2×`ms` with `both`). With `jitterMs` each chunk's delay
 *   is `ms` ± a random amount up to `jitterMs` (never below 0), order still kept:
 *   a chunk is never released before the one ahead of it.
 * - `slow`: bytes flow at `bytesPerSecond` per connection and direction (both by
 *   default), in slices of 1/20 s, so N bytes take at least N / bytesPerSecond
 *   seconds; a sender more than a second ahead is paused (backpressure).
 * - `reset`: forwards until `afterBytes` bytes came back from the target on a
 *   connection (counted from the switch for connections already open), then
 *   resets both sockets.
 * - `blackhole`: accepts, reads and discards, never answers, never closes.
 */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'refuse' }
  | { kind: 'blackhole' }
  | { kind: 'latency'; ms: number; direction?: LatencyDirection; jitterMs?: number }
  | { kind: 'slow'; bytesPerSecond: number; direction?: LatencyDirection }
  | { kind: 'reset'; afterBytes: number };

/** Which way `latency` and `slow` hold bytes: `request` is client → target, `response` target → client. */
export type LatencyDirection = 'both' | 'request' | 'response';

export type FaultModeInput = FaultMode | 'pass' | 'refuse' | 'blackhole';

export interface FaultProxyStats {
  mode: FaultMode;
  /** False while refusing. */
  listening: boolean;
  /** Connections accepted (since start or `resetStats()`). */
  connections: number;
  /** Connections open now. */
  active: number;
  /** Bytes forwarded client → target. */
  bytesToTarget: number;
  /** Bytes forwarded target → client. */
  bytesFromTarget: number;
  /** Bytes a blackhole read and dropped. */
  bytesSwallowed: number;
  /** Connections the proxy cut with a reset (a `refuse` switch, a spent `reset` budget, leaving `blackhole`). */
  resets: number;
  /** Connections that were (or became) black holes. */
  blackholed: number;
  /** Connects to the target that failed (target down while the proxy passes): the client got a reset. */
  upstreamFailures: number;
}

export interface FaultProxyOptions {
  /** Where to forward: a port on 127.0.0.1, or host and port. */
  target: number | { host?: string; port: number };
  /** Port to listen on; 0 (default) takes an ephemeral one, kept across `refuse`/`pass`. */
  port?: number;
  host?: string;
  /** For errors and log lines (the butler's name in an ecosystem). */
  name?: string;
  /** Called on every mode change and on notable events. */
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** Source of `latency` jitter, uniform in [0, 1); Math.random unless a test pins it. */
  random?: () => number;
}

export interface FaultProxy {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** `http://<host>:<port>` (an MCP endpoint behind it is `${url}/mcp`). */
  readonly url: string;
  readonly target: { host: string; port: number };
  readonly mode: FaultMode;
  setMode(mode: FaultModeInput): Promise<void>;
  pass(): Promise<void>;
  refuse(): Promise<void>;
  /** Each chunk held `ms` (± up to `jitterMs`), order kept. */
  latency(ms: number, direction?: LatencyDirection, jitterMs?: number): Promise<void>;
  /** Throttles each connection to `bytesPerSecond` in the given direction(s). */
  slow(bytesPerSecond: number, direction?: LatencyDirection): Promise<void>;
  resetAfter(bytes: number): Promise<void>;
  blackhole(): Promise<void>;
  stats(): FaultProxyStats;
  resetStats(): void;
  /** Closes the listener and every connection; safe twice. */
  close(): Promise<void>;
}

const RELISTEN_TRIES = 40;
/** Between the last forwarded byte of a spent `reset` budget and the reset itself. */
const RESET_GRACE_MS = 25;
const RELISTEN_WAIT_MS = 50;

function normalize(m: FaultModeInput): FaultMode {
  const mode: FaultMode = typeof m === 'string' ? ({ kind: m } as FaultMode) : m;
  switch (mode.kind) {
    case 'pass':
    case 'refuse':
    case 'blackhole':
      return { kind: mode.kind };
    case 'latency': {
      if (!Number.isFinite(mode.ms) || mode.ms < 0) throw new Error(`fault proxy latency needs ms ≥ 0, got ${mode.ms}`);
      checkDirection('latency', mode.direction);
      const jitter = mode.jitterMs ?? 0;
      if (!Number.isFinite(jitter) || jitter < 0) throw new Error(`fault proxy latency needs jitterMs ≥ 0, got ${mode.jitterMs}`);
      return { kind: 'latency', ms: mode.ms, direction: mode.direction ?? 'both', ...(jitter > 0 ? { jitterMs: jitter } : {}) };
    }
    case 'slow':
      if (!Number.isFinite(mode.bytesPerSecond) || mode.bytesPerSecond <= 0) throw new Error(`fault proxy slow needs bytesPerSecond > 0, got ${mode.bytesPerSecond}`);
      checkDirection('slow', mode.direction);
      return { kind: 'slow', bytesPerSecond: mode.bytesPerSecond, direction: mode.direction ?? 'both' };
    case 'reset':
      if (!Number.isInteger(mode.afterBytes) || mode.afterBytes < 0) throw new Error(`fault proxy reset needs an integer afterBytes ≥ 0, got ${mode.afterBytes}`);
      return { kind: 'reset', afterBytes: mode.afterBytes };
    default:
      throw new Error(`unknown fault proxy mode ${JSON.stringify(m)}; one of pass, refuse, latency, slow, reset, blackhole`);
  }
}

function checkDirection(kind: string, d: string | undefined): void {
  if (d && !['both', 'request', 'response'].includes(d)) throw new Error(`fault proxy ${kind} direction must be both, request or response, got ${d}`);
}

export function describeMode(m: FaultMode): string {
  if (m.kind === 'latency') return `latency ${m.ms}${m.jitterMs ? ` ± ${m.jitterMs}` : ''} ms (${m.direction ?? 'both'})`;
  if (m.kind === 'slow') return `slow ${m.bytesPerSecond} B/s (${m.direction ?? 'both'})`;
  if (m.kind === 'reset') return `reset after ${m.afterBytes} bytes`;
  return m.kind;
}

function resetSocket(s: net.Socket | undefined): void {
  if (!s || s.destroyed) return;
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}

type Counters = Omit<FaultProxyStats, 'mode' | 'listening' | 'active'>;
const zero = (): Counters => ({ connections: 0, bytesToTarget: 0, bytesFromTarget: 0, bytesSwallowed: 0, resets: 0, blackholed: 0, upstreamFailures: 0 });

/** How one chunk travels: held `delayMs`, or paced at `bytesPerSecond`. */
export interface Shape {
  delayMs: number;
  bytesPerSecond?: number;
}

/** `slow` hands bytes on in slices of this fraction of a second. */
const SLICES_PER_SECOND = 20;

/** One direction of one connection: chunks in order, each released when its delay (or its pace) is over. */
class Lane {
  private queue: { at: number; chunk: Buffer | null }[] = [];
  private timer?: NodeJS.Timeout;
  private queuedBytes = 0;
  private throttled = false;

  constructor(
    private readonly link: Link,
    readonly dir: 'request' | 'response',
  ) {}

  push(chunk: Buffer | null, shape: Shape): void {
    const last = this.queue[this.queue.length - 1];
    const now = Date.now();
    const bps = shape.bytesPerSecond;
    if (bps && chunk && chunk.length) {
      // Each slice leaves when the bytes before it (queued or just sent) have had their time on the "wire".
      const slice = Math.max(1, Math.floor(bps / SLICES_PER_SECOND));
      let at = Math.max(now, last?.at ?? 0);
      for (let i = 0; i < chunk.length; i += slice) {
        const part = chunk.subarray(i, i + slice);
        at += (part.length / bps) * 1000;
        this.queue.push({ at, chunk: part });
      }
      this.queuedBytes += chunk.length;
      if (this.queuedBytes > bps && !this.throttled) this.throttled = this.link.pauseSource(this.dir);
      return this.schedule();
    }
    const at = Math.max(now + shape.delayMs, last?.at ?? 0);
    if (!last && shape.delayMs <= 0) return this.link.deliver(this, chunk);
    this.queue.push({ at, chunk });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || !this.queue.length) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = Date.now();
      while (this.queue.length && this.queue[0].at <= now && this.link.state === 'open') {
        const { chunk } = this.queue.shift()!;
        if (chunk) this.queuedBytes = Math.max(0, this.queuedBytes - chunk.length);
        this.link.deliver(this, chunk);
      }
      if (this.throttled && this.queuedBytes === 0) {
        this.throttled = false;
        this.link.resumeSource(this.dir);
      }
      this.schedule();
    }, Math.max(0, this.queue[0].at - Date.now()));
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.queuedBytes = 0;
    this.throttled = false;
  }
}

/** One accepted client connection and, unless it is a black hole, its connection to the target. */
class Link {
  state: 'open' | 'blackhole' | 'dead' = 'open';
  upstream?: net.Socket;
  /** Bytes from the target still allowed before the reset (`reset` mode). */
  budget?: number;
  readonly request = new Lane(this, 'request');
  readonly response = new Lane(this, 'response');

  constructor(
    private readonly proxy: FaultProxyServer,
    readonly client: net.Socket,
  ) {
    client.on('data', (chunk: Buffer) => {
      if (this.state === 'blackhole') {
        this.proxy.counters.bytesSwallowed += chunk.length;
        return;
      }
      if (this.state === 'open') this.request.push(chunk, this.proxy.shapeFor('request'));
    });
    client.on('end', () => {
      if (this.state === 'open') this.request.push(null, this.proxy.shapeFor('request'));
      else if (this.state === 'blackhole') client.end();
    });
    client.on('error', () => this.reset(false));
    client.on('close', () => this.gone());
  }

  connectUpstream(): void {
    const { host, port } = this.proxy.target;
    const up = net.connect({ host, port, allowHalfOpen: true });
    this.upstream = up;
    up.setNoDelay(true);
    let connected = false;
    up.once('connect', () => void (connected = true));
    up.on('data', (chunk: Buffer) => {
      if (this.state === 'open' && this.upstream === up) this.response.push(chunk, this.proxy.shapeFor('response'));
    });
    up.on('end', () => {
      if (this.state === 'open' && this.upstream === up) this.response.push(null, this.proxy.shapeFor('response'));
    });
    up.on('error', () => {
      if (this.upstream !== up || this.state !== 'open') return;
      if (!connected) this.proxy.counters.upstreamFailures++;
      // The target went away: the client sees the same, a reset.
      this.reset(false);
    });
  }

  /** Stops reading the sending side of a lane (a throttled lane is a second ahead); true if it paused. */
  pauseSource(dir: 'request' | 'response'): boolean {
    const from = dir === 'request' ? this.client : this.upstream;
    if (!from || from.destroyed || from.isPaused()) return false;
    from.pause();
    return true;
  }

  resumeSource(dir: 'request' | 'response'): void {
    const from = dir === 'request' ? this.client : this.upstream;
    if (from && !from.destroyed && this.state === 'open') from.resume();
  }

  /** Writes one chunk (or the end) to the other side; enforces the reset budget; keeps backpressure. */
  deliver(lane: Lane, chunk: Buffer | null): void {
    if (this.state !== 'open') return;
    const from = lane.dir === 'request' ? this.client : this.upstream;
    const to = lane.dir === 'request' ? this.upstream : this.client;
    if (!to || to.destroyed) return;
    if (chunk === null) {
      to.end();
      return;
    }
    const c = this.proxy.counters;
    if (lane.dir === 'response' && this.budget !== undefined && chunk.length >= this.budget) {
      const part = chunk.subarray(0, this.budget);
      this.budget = 0;
      c.bytesFromTarget += part.length;
      // Stop everything else, let the partial bytes reach the client, then reset both sides. A reset
      // that arrives before the client read them makes the kernel drop them: hence the short grace.
      this.state = 'dead';
      this.request.clear();
      this.response.clear();
      this.upstream?.pause();
      const cut = () => this.reset(true);
      if (part.length) to.write(part, () => setTimeout(cut, RESET_GRACE_MS));
      else cut();
      return;
    }
    if (lane.dir === 'response') {
      c.bytesFromTarget += chunk.length;
      if (this.budget !== undefined) this.budget -= chunk.length;
    } else {
      c.bytesToTarget += chunk.length;
    }
    if (!to.write(chunk) && from && !from.isPaused()) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  }

  /** Becomes a black hole: the target side is cut, the client side stays open and is read and ignored. */
  toBlackhole(): void {
    if (this.state !== 'open') return;
    this.state = 'blackhole';
    this.proxy.counters.blackholed++;
    this.request.clear();
    this.response.clear();
    resetSocket(this.upstream);
    this.upstream = undefined;
    if (this.client.isPaused()) this.client.resume();
  }

  /** Cuts both sides with a TCP reset. `counted`: the proxy did it on purpose (stats.resets). */
  reset(counted: boolean): void {
    if (this.state === 'dead' && this.client.destroyed) return;
    if (counted) this.proxy.counters.resets++;
    this.state = 'dead';
    this.request.clear();
    this.response.clear();
    resetSocket(this.client);
    resetSocket(this.upstream);
  }

  private gone(): void {
    this.request.clear();
    this.response.clear();
    if (this.state !== 'dead') {
      this.state = 'dead';
      // The client closed: an upstream still open is ended politely if it finished, else cut.
      if (this.upstream && !this.upstream.destroyed) this.upstream.destroy();
    }
    this.proxy.links.delete(this);
  }
}

class FaultProxyServer implements FaultProxy {
  readonly name: string;
  readonly host: string;
  readonly target: { host: string; port: number };
  readonly links = new Set<Link>();
  counters = zero();
  private current: FaultMode = { kind: 'pass' };
  private server: net.Server;
  private listening = false;
  private boundPort: number;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly o: FaultProxyOptions) {
    this.host = o.host ?? '127.0.0.1';
    this.target = typeof o.target === 'number' ? { host: '127.0.0.1', port: o.target } : { host: o.target.host ?? '127.0.0.1', port: o.target.port };
    this.name = o.name ?? `proxy→${this.target.port}`;
    this.boundPort = o.port ?? 0;
    this.server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    this.server.on('error', () => {});
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://${this.host}:${this.boundPort}`;
  }

  get mode(): FaultMode {
    return { ...this.current };
  }

  /** How the next chunk in `dir` travels under the current mode. */
  shapeFor(dir: 'request' | 'response'): Shape {
    const m = this.current;
    if (m.kind !== 'latency' && m.kind !== 'slow') return { delayMs: 0 };
    const d = m.direction ?? 'both';
    if (d !== 'both' && d !== dir) return { delayMs: 0 };
    if (m.kind === 'slow') return { delayMs: 0, bytesPerSecond: m.bytesPerSecond };
    const jitter = m.jitterMs ? (2 * (this.o.random ?? Math.random)() - 1) * m.jitterMs : 0;
    return { delayMs: Math.max(0, m.ms + jitter) };
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    if (this.closed || this.current.kind === 'refuse') {
      // Accepted in the instant before the listener closed.
      this.counters.resets++;
      resetSocket(socket);
      return;
    }
    this.counters.connections++;
    const link = new Link(this, socket);
    this.links.add(link);
    if (this.current.kind === 'blackhole') {
      link.state = 'blackhole';
      this.counters.blackholed++;
      return;
    }
    if (this.current.kind === 'reset') link.budget = this.current.afterBytes;
    link.connectUpstream();
  }

  async listen(): Promise<void> {
    if (this.listening || this.closed) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          const onError = (err: Error) => reject(err);
          this.server.once('error', onError);
          this.server.listen({ port: this.boundPort, host: this.host }, () => {
            this.server.off('error', onError);
            resolve();
          });
        });
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // After `refuse`, another socket may hold the port for a moment; the port is ours by design, so wait for it.
        if (code !== 'EADDRINUSE' || this.boundPort === 0 || attempt >= RELISTEN_TRIES) {
          throw new Error(`fault proxy ${this.name} cannot listen on ${this.host}:${this.boundPort}: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, RELISTEN_WAIT_MS));
      }
    }
    this.boundPort = (this.server.address() as net.AddressInfo).port;
    this.listening = true;
  }

  private async unlisten(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    // close() stops accepting at once; its callback waits for the connections, which the caller has cut.
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  setMode(input: FaultModeInput): Promise<void> {
    let next: FaultMode;
    try {
      next = normalize(input);
    } catch (err) {
      return Promise.reject(err);
    }
    const run = async () => {
      if (this.closed) throw new Error(`fault proxy ${this.name} is closed`);
      const before = this.current;
      this.current = next;
      if (next.kind === 'refuse') {
        for (const l of [...this.links]) l.reset(true);
        await this.unlisten();
      } else {
        await this.listen();
        for (const l of [...this.links]) {
          if (next.kind === 'blackhole') l.toBlackhole();
          else if (l.state === 'blackhole') l.reset(true);
          else l.budget = next.kind === 'reset' ? next.afterBytes : undefined;
        }
      }
      this.o.log?.('fault_proxy.mode', { proxy: this.name, port: this.boundPort, target_port: this.target.port, from: describeMode(before), mode: describeMode(next), active: this.links.size });
    };
    const p = this.queue.then(run);
    this.queue = p.catch(() => {});
    return p;
  }

  pass = () => this.setMode('pass');
  refuse = () => this.setMode('refuse');
  blackhole = () => this.setMode('blackhole');
  latency = (ms: number, direction: LatencyDirection = 'both', jitterMs?: number) =>
    this.setMode({ kind: 'latency', ms, direction, ...(jitterMs !== undefined ? { jitterMs } : {}) });
  slow = (bytesPerSecond: number, direction: LatencyDirection = 'both') => this.setMode({ kind: 'slow', bytesPerSecond, direction });
  resetAfter = (bytes: number) => this.setMode({ kind: 'reset', afterBytes: bytes });

  stats(): FaultProxyStats {
    return { mode: this.mode, listening: this.listening, active: this.links.size, ...this.counters };
  }

  resetStats(): void {
    this.counters = zero();
  }

  private closing?: Promise<void>;
  close(): Promise<void> {
    return (this.closing ??= this.queue.then(async () => {
      this.closed = true;
      for (const l of [...this.links]) l.reset(false);
      await this.unlisten();
    }));
  }
}

/**
 * Starts a TCP fault proxy in front of `target` (docs/resilience.md, Fault
 * proxy): listening on 127.0.0.1 (ephemeral port unless `port` is given), in
 * `pass` mode.
 */
export async function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const p = new FaultProxyServer(o);
  await p.listen();
  return p;
}
