import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project folder holding `ecosystem/` (migrations are read from there at
 * runtime). Works from source (`ecosystem/daemon/`) and from the bundle
 * (`dist/daemon.mjs`); BUTLERS_ECOSYSTEM_DIR overrides.
 */
export function projectRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BUTLERS_ECOSYSTEM_DIR) return path.resolve(env.BUTLERS_ECOSYSTEM_DIR, '..');
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'ecosystem', 'core', 'migrations'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`cannot find ecosystem/core/migrations above ${fileURLToPath(import.meta.url)}; set BUTLERS_ECOSYSTEM_DIR to the ecosystem folder`);
    }
    dir = parent;
  }
}

export function packageVersion(root: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
