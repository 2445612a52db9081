import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';

/**
 * What the harness reads of a butler folder from the outside, as an operator
 * could: name, port and enabled modules. The daemon does the real validation;
 * this stays deliberately shallow so a broken butler.toml is reported by the
 * daemon that owns it, not by the harness.
 */
export interface RosterEntry {
  name: string;
  dir: string;
  tomlPort: number;
  modules: string[];
  routable: boolean;
  /** Set when butler.toml could not be read far enough to know the port. */
  problem?: string;
}

export const DEFAULT_ROSTER_DIR = path.resolve('roster');

export function rosterDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.E2E_ROSTER_DIR ?? DEFAULT_ROSTER_DIR);
}

/** Every sub-folder holding a butler.toml is one butler; order is by port then name. */
export function discoverRoster(dir: string): RosterEntry[] {
  if (!existsSync(dir)) throw new Error(`roster folder ${dir} does not exist; set E2E_ROSTER_DIR to a folder of butler folders`);
  const entries: RosterEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    const folder = path.join(dir, name);
    if (!statSync(folder).isDirectory()) continue;
    const tomlPath = path.join(folder, 'butler.toml');
    if (!existsSync(tomlPath)) continue;
    entries.push(readEntry(name, folder, tomlPath));
  }
  return entries.sort((a, b) => a.tomlPort - b.tomlPort || a.name.localeCompare(b.name));
}

/** The entry of one butler folder, read from its butler.toml as discovery reads it. */
export function readRosterEntry(dir: string): RosterEntry {
  return readEntry(path.basename(dir), dir, path.join(dir, 'butler.toml'));
}

function readEntry(name: string, dir: string, tomlPath: string): RosterEntry {
  try {
    const doc = parse(readFileSync(tomlPath, 'utf8')) as Record<string, any>;
    const port = doc.butler?.port;
    const modules = Object.entries((doc.modules ?? {}) as Record<string, any>)
      .filter(([, m]) => m && m.enabled !== false)
      .map(([m]) => m);
    if (!Number.isInteger(port)) {
      return { name, dir, tomlPort: NaN, modules, routable: true, problem: `${tomlPath}: butler.port must be an integer` };
    }
    return { name, dir, tomlPort: port, modules, routable: doc.butler?.routable !== false };
  } catch (err) {
    return { name, dir, tomlPort: NaN, modules: [], routable: true, problem: `${tomlPath}: ${(err as Error).message.split('\n')[0]}` };
  }
}
