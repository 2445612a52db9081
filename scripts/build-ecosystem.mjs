#!/usr/bin/env node
// Bundles the ecosystem entry points into dist/ (one file each, with source maps).
// Packages are bundled too, except the few that must stay shared or native:
// node's module loader resolving ~300 SDK/zod files costs ~200 ms per daemon
// start, which is most of the startup budget on a small box.
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

// zod stays external so roster tools (bundled at daemon start, zod external)
// and the daemon share one zod; esbuild is a native binary; pg-native is optional.
const external = ['zod', 'esbuild', 'pg-native', 'cpu-features', 'ssh2'];

try {
  await Promise.all(
    entries.map(([src, out]) =>
      esbuild.build({
        absWorkingDir: root,
        entryPoints: [src],
        outfile: out,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        sourcemap: true,
        external,
        logLevel: 'warning',
        // Bundled CommonJS packages (pg, pino) call require(); give them one.
        banner: { js: "import { createRequire as __butlersCreateRequire } from 'node:module'; const require = __butlersCreateRequire(import.meta.url);" },
      }),
    ),
  );
} catch (err) {
  console.error(`build-ecosystem: ${err.message}`);
  process.exit(1);
}
console.log(`build-ecosystem: ${entries.map(([, out]) => out).join(', ')} in ${Math.round(performance.now() - started)} ms`);
