import path from 'node:path';
import { isPortFree, listenerPid, portTakenMessage, workerPort } from '../ports.ts';
import type { RosterEntry } from '../roster.ts';
import type { BootFailure } from './types.ts';

/** The folders that can boot; a broken butler.toml or a duplicate port is a failure of that butler only. */
export function selectBootable(roster: RosterEntry[], failed: BootFailure[]): RosterEntry[] {
  const seen = new Map<number, string>();
  const out: RosterEntry[] = [];
  for (const b of roster) {
    if (b.problem) {
      failed.push({ butler: b.name, message: b.problem });
      continue;
    }
    const other = seen.get(b.tomlPort);
    if (other) {
      failed.push({ butler: b.name, message: `${path.join(b.dir, 'butler.toml')}: butler.port ${b.tomlPort} is already used by ${other}; give each butler its own port` });
      continue;
    }
    seen.set(b.tomlPort, b.name);
    out.push(b);
  }
  return out;
}

/** Fails fast, before anything starts, when a port of this worker's block is taken. */
export async function assertPortsFree(bootable: RosterEntry[], parallelIndex: number, base: number): Promise<void> {
  for (const b of bootable) {
    const port = workerPort(b.tomlPort, parallelIndex, base);
    if (!(await isPortFree(port))) throw Object.assign(new Error(portTakenMessage(port, b.name, listenerPid(port))), { code: 'port_taken' });
  }
}
