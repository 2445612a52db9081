#!/usr/bin/env node
// Bundles the ecosystem entry points into dist/ (one file each, with source maps).
// Packages are bundled too, except the few that must stay shared or native:
// node's module loader resolving and compiling hundreds of package files costs
// hundreds of ms per daemon start, which is most of the startup budget on a
// small box (six daemons start at once).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();
const entries = [
  ['ecosystem/daemon/main.ts', 'dist/daemon.mjs'],
  ['ecosystem/runtime/main.ts', 'dist/runtime.mjs'],
].filter(([src]) => existsSync(path.join(root, src)));

// esbuild is a native binary; pg-native is optional.
const external = ['esbuild', 'pg-native', 'cpu-features', 'ssh2'];

// Roster tools are bundled when a daemon starts and must share the daemon's
// zod (the daemon checks their schemas). So the zod API (`zod`, and `zod/v3`,
// which is the same API in zod 3.25) is one file of its own, dist/zod.mjs,
// imported by the daemon bundle and by roster tools alike; the zod/v4 copies
// the MCP SDK uses internally are bundled like any other package.
const sharedZod = {
  name: 'butlers-shared-zod',
  setup(b) {
    b.onResolve({ filter: /^zod(\/v3)?$/ }, () => ({ path: './zod.mjs', external: true }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
};

try {
  await Promise.all([
    esbuild.build({
      ...common,
      stdin: { contents: "export * from 'zod';\nexport { default } from 'zod';\n", resolveDir: root, sourcefile: 'zod-entry.js' },
      outfile: 'dist/zod.mjs',
    }),
    ...entries.map(([src, out]) =>
      esbuild.build({
        ...common,
        entryPoints: [src],
        outfile: out,
        external,
        plugins: [sharedZod],
        // Bundled CommonJS packages (pg, pino) call require(); give them one.
        banner: { js: "import { createRequire as __butlersCreateRequire } from 'node:module'; const require = __butlersCreateRequire(import.meta.url);" },
      }),
    ),
  ]);
} catch (err) {
  console.error(`build-ecosystem: ${err.message}`);
  process.exit(1);
}
console.log(`build-ecosystem: dist/zod.mjs, ${entries.map(([, out]) => out).join(', ')} in ${Math.round(performance.now() - started)} ms`);
