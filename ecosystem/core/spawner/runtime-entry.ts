import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../paths.ts';

/**
 * The bundled session process. Resolved from the project root, which works
 * from source and from `dist/daemon.mjs`; BUTLERS_RUNTIME_ENTRY overrides.
 */
export function runtimeEntry(env: NodeJS.ProcessEnv): string {
  const file = env.BUTLERS_RUNTIME_ENTRY ? path.resolve(env.BUTLERS_RUNTIME_ENTRY) : path.join(projectRoot(env), 'dist', 'runtime-main.cjs');
  if (!existsSync(file)) {
    throw new Error(`the session runtime ${file} does not exist; build it with \`node scripts/build-ecosystem.mjs\``);
  }
  return file;
}
