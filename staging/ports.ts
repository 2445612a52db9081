import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import net from 'node:net';

export const DEFAULT_PORT_BASE = 8100;

/**
 * Port of a butler for a worker: worker N uses base + N×1000 + (toml port − 8100),
 * so worker 0 gets the butler.toml ports and worker 1 gets 9100–9199.
 */
export function workerPort(tomlPort: number, parallelIndex: number, base = DEFAULT_PORT_BASE): number {
  return base + parallelIndex * 1000 + (tomlPort - DEFAULT_PORT_BASE);
}

/**
 * A butler's fault proxy (staging/fault-proxy) listens this far above the
 * butler's own port, in the same worker block: butler.toml ports are
 * 8100–8199, so the proxies take 8200–8299 (worker 0's health: 8103, its
 * proxy 8203; worker 1: 9103 and 9203).
 */
export const PROXY_PORT_OFFSET = 100;

/** Port of a butler's fault proxy for a worker: its workerPort + PROXY_PORT_OFFSET. */
export function proxyPort(tomlPort: number, parallelIndex: number, base = DEFAULT_PORT_BASE): number {
  return workerPort(tomlPort, parallelIndex, base) + PROXY_PORT_OFFSET;
}

/**
 * A port of a test file's own fixed block, written as its number at the
 * default base (unit test files own blocks in 8350–8649, e.g. runtime.test.ts's
 * 8540), moved like a butler's port: by E2E_PORT_BASE and
 * the worker (TEST_PARALLEL_INDEX). So two runs on disjoint port blocks —
 * concurrent shards, another engineer's run — never meet on these ports.
 */
export function testPort(defaultPort: number, env: NodeJS.ProcessEnv = process.env): number {
  return workerPort(defaultPort, Number(env.TEST_PARALLEL_INDEX ?? 0), portBase(env));
}

/**
 * Where a nested run (a test spawning its own `playwright test --workers=1`,
 * `npm run staging` or a boot on another block) puts its base: inside this
 * worker's own 1000-port block, above its butlers (+0–99), fault proxies
 * (+100–199) and the unit files' blocks (+250–549). Slot `a` takes +600–799,
 * slot `b` +800–999. A run with W workers therefore uses exactly
 * [E2E_PORT_BASE, E2E_PORT_BASE + W×1000), which is what lets shards run at
 * once on bases 1000×W apart (scripts/shard-plan.mjs).
 */
export const NESTED_RUN_OFFSETS = { a: 600, b: 800 } as const;

export function nestedRunBase(slot: keyof typeof NESTED_RUN_OFFSETS, env: NodeJS.ProcessEnv = process.env): number {
  return portBase(env) + Number(env.TEST_PARALLEL_INDEX ?? 0) * 1000 + NESTED_RUN_OFFSETS[slot];
}

/** Ports one run with `workers` workers may use: [base, base + workers×1000). */
export const PORTS_PER_WORKER = 1000;

export function portBase(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.E2E_PORT_BASE;
  if (raw === undefined || raw === '') return DEFAULT_PORT_BASE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1024 || n > 60000) {
    throw new Error(`E2E_PORT_BASE must be an integer between 1024 and 60000, got "${raw}"`);
  }
  return n;
}

/** True when nothing listens on 127.0.0.1:port (we try to bind it ourselves). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** An ephemeral port the OS considers free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The pid listening on a TCP port, from /proc (Linux); undefined where unknown. */
export function listenerPid(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue;
      const localPort = parseInt(cols[1].split(':')[1], 16);
      if (localPort === port) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) return Number(pid);
      } catch {
        /* fd closed meanwhile */
      }
    }
  }
  return undefined;
}

/** One sentence naming the port, the butler, the holder and the fix. */
export function portTakenMessage(port: number, butler: string, pid: number | undefined): string {
  const holder = pid ? `by pid ${pid}` : 'by another process';
  return (
    `port ${port} (${butler}) is taken ${holder}; stop it — e.g. the production stack started with ` +
    '`butlers up` or a leftover `npm run staging` — or set E2E_PORT_BASE to use another port block'
  );
}
