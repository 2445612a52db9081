import path from 'node:path';
import { isPortFree, listenerPid, portTakenMessage, PROXY_PORT_OFFSET, proxyPort, workerPort } from '../ports.ts';
import type { RosterEntry } from '../roster.ts';
import type { BootFailure } from './types.ts';

/**
 * The folders that can boot; a broken butler.toml, a duplicate port, or a
 * port that is another butler's fault proxy port (its port + PROXY_PORT_OFFSET)
 * is a failure of that butler only.
 */
export function selectBootable(roster: RosterEntry[], failed: BootFailure[]): RosterEntry[] {
  const seen = new Map<number, string>();
  const proxies = new Map<number, string>();
  const out: RosterEntry[] = [];
  for (const b of roster) {
    if (b.problem) {
      failed.push({ butler: b.name, message: b.problem });
      continue;
    }
    const where = `${path.join(b.dir, 'butler.toml')}: butler.port ${b.tomlPort}`;
    const other = seen.get(b.tomlPort);
    if (other) {
      failed.push({ butler: b.name, message: `${where} is already used by ${other}; give each butler its own port` });
      continue;
    }
    const proxied = proxies.get(b.tomlPort) ?? seen.get(b.tomlPort + PROXY_PORT_OFFSET);
    if (proxied) {
      failed.push({ butler: b.name, message: `${where} collides with a fault proxy port (a butler's port + ${PROXY_PORT_OFFSET}) next to ${proxied}; keep butler ports within 8100–8199` });
      continue;
    }
    seen.set(b.tomlPort, b.name);
    proxies.set(b.tomlPort + PROXY_PORT_OFFSET, b.name);
    out.push(b);
  }
  return out;
}

/** Fails fast, before anything starts, when a port of this worker's block is taken: the butlers' first, then their fault proxies'. */
export async function assertPortsFree(bootable: RosterEntry[], parallelIndex: number, base: number): Promise<void> {
  const ports = [
    ...bootable.map((b) => ({ port: workerPort(b.tomlPort, parallelIndex, base), owner: b.name })),
    ...bootable.map((b) => ({ port: proxyPort(b.tomlPort, parallelIndex, base), owner: `${b.name} fault proxy` })),
  ];
  for (const { port, owner } of ports) {
    if (!(await isPortFree(port))) throw Object.assign(new Error(portTakenMessage(port, owner, listenerPid(port))), { code: 'port_taken' });
  }
}
