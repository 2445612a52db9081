// Floors measured in the same run as the figures they normalise:
//  mcp   — one call of a no-op tool on a bare MCP SDK server in its own process
//          (bench/floor-server.mjs), through the harness's own client and call loop;
//  spawn — `node -e ''` from spawn to exit.
// Samples are taken interleaved with the measured calls, so a busy moment of
// the machine slows both alike.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectMcp, type McpHandle } from '../staging/mcp/client.ts';

export interface FloorServer {
  url: string;
  client: McpHandle;
  /** One no-op call through the same client code as every bench call; ms. */
  call(): Promise<number>;
  /** A fresh client (throughput floor, concurrency). */
  connect(): Promise<McpHandle>;
  stop(): Promise<void>;
}

const SERVER = fileURLToPath(new URL('./floor-server.mjs', import.meta.url));

export async function startFloorServer(): Promise<FloorServer> {
  const child = spawn(process.execPath, [SERVER], { stdio: ['pipe', 'pipe', 'inherit'], cwd: process.cwd() });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the floor MCP server did not print its port within 20 s')), 20_000);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the floor MCP server exited with ${code} before listening`));
    });
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  const client = await connectMcp(url, { clientName: 'bench-floor' });
  await client.callTool('noop', {}); // warm
  const extra: McpHandle[] = [];
  return {
    url,
    client,
    async call() {
      const t = performance.now();
      const out = await client.callTool('noop', {});
      const ms = performance.now() - t;
      if (out.isError) throw new Error(`floor no-op call failed: ${out.text}`);
      return ms;
    },
    async connect() {
      const c = await connectMcp(url, { clientName: 'bench-floor' });
      extra.push(c);
      return c;
    },
    async stop() {
      await Promise.all([client, ...extra].map((c) => c.close()));
      child.stdin.end();
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => (clearTimeout(t), resolve()));
      });
    },
  };
}

/** `node -e ''` from spawn to exit, in ms. */
export function spawnFloor(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore', env: {} });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`node -e '' exited with ${code}`))));
  });
}

/** Floor samples collected through the run. */
export class Floors {
  readonly mcp: number[] = [];
  readonly spawn: number[] = [];
  constructor(readonly server: FloorServer) {}
  async sampleMcp(n = 1): Promise<void> {
    for (let i = 0; i < n; i++) this.mcp.push(await this.server.call());
  }
  async sampleSpawn(n = 1): Promise<void> {
    for (let i = 0; i < n; i++) this.spawn.push(await spawnFloor());
  }
}
