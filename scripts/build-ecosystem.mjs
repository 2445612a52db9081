#!/usr/bin/env node
// Bundles the ecosystem entry points into dist/ (one file each, with source maps).
// Packages are bundled too, except the few that must stay shared or native:
// node's module loader resolving and compiling hundreds of package files costs
// hundreds of ms per daemon start, which is most of the startup budget on a
// small box (six daemons start at once).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();

// esbuild is a native binary; pg-native is optional.
const external = ['esbuild', 'pg-native', 'cpu-features', 'ssh2'];

// Roster tools are bundled when a daemon starts and must share the daemon's
// zod (the daemon checks their schemas). So the zod API (`zod`, and `zod/v3`,
// which is the same API in zod 3.25) is one CommonJS file of its own,
// dist/zod.cjs, required by the daemon bundle and imported by roster tools:
// Node gives both the same module instance. The zod/v4 copies the MCP SDK
// uses internally are bundled like any other package.
const sharedZod = {
  name: 'butlers-shared-zod',
  setup(b) {
    b.onResolve({ filter: /^zod(\/v3)?$/ }, () => ({ path: './zod.cjs', external: true }));
  },
};

// The OTLP exporter loads node:http with import(), which a process restored
// from the V8 code cache cannot do on Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING;
// see ecosystem/core/code-cache-loader.mjs). In the CommonJS bundles those become require().
const otlpHttpRequire = {
  name: 'butlers-otlp-http-require',
  setup(b) {
    b.onLoad({ filter: /@opentelemetry[\\/]otlp-exporter-base[\\/].*\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/\bimport\((["'])(https?)\1\)/g, 'Promise.resolve(require("$2"))'),
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external,
};

// A CommonJS bundle for ecosystem/core/code-cache-loader.mjs; import.meta is given by the banner.
const cached = {
  ...common,
  format: 'cjs',
  define: { 'import.meta.url': '__butlersImportMetaUrl', 'import.meta.resolve': '__butlersImportMetaResolve' },
  banner: {
    js: [
      "var __butlersImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
      "var __butlersImportMetaResolve = (s) => require('node:url').pathToFileURL(require.resolve(s)).href;",
    ].join('\n'),
  },
};

try {
  await Promise.all([
    esbuild.build({
      ...common,
      format: 'cjs',
      // ESM re-exports, so esbuild lists every export name for Node's CommonJS named-export detection.
      stdin: { contents: "export * from 'zod';\nexport { default } from 'zod';\n", resolveDir: root, sourcefile: 'zod-entry.mjs' },
      outfile: 'dist/zod.cjs',
    }),
    // The daemon is CommonJS so dist/daemon.mjs (ecosystem/core/code-cache-loader.mjs)
    // can compile it with a V8 code cache; import.meta is given by the banner.
    esbuild.build({
      ...cached,
      entryPoints: ['ecosystem/daemon/main.ts'],
      outfile: 'dist/daemon.cjs',
      plugins: [sharedZod, otlpHttpRequire],
    }),
    // One session runtime process per LLM session, everything bundled (zod
    // too: no roster tool shares it). CommonJS for the same code cache: a
    // session process starts in the path of every classify and dispatch.
    esbuild.build({
      ...cached,
      entryPoints: ['ecosystem/runtime/main.ts'],
      outfile: 'dist/runtime.cjs',
      // The ES module build of a package before its CommonJS one (esbuild's
      // default on node is the reverse): esbuild drops what an ES module does
      // not use, which for OpenTelemetry's packages (semantic-conventions,
      // sdk-metrics, otlp-transformer) is most of their 0.5 MB.
      mainFields: ['module', 'main'],
      plugins: [otlpHttpRequire],
    }),
  ]);
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  asciiOnly(path.join(root, 'dist/daemon.cjs'));
  asciiOnly(path.join(root, 'dist/runtime.cjs'));
  rmSync(path.join(root, 'dist/runtime.mjs.map'), { force: true });
  for (const entry of ['daemon', 'runtime']) copyFileSync(path.join(root, 'ecosystem/core/code-cache-loader.mjs'), path.join(root, `dist/${entry}.mjs`));
} catch (err) {
  console.error(`build-ecosystem: ${err.message}`);
  process.exit(1);
}
/**
 * esbuild (charset ascii) escapes every non-ASCII character in code, but the
 * comments it keeps (package JSDoc: luxon's examples, …) stay UTF-8. One such
 * character makes the whole 2 MB source a two-byte string that every daemon
 * decodes at start; pure ASCII is read as latin1 by dist/daemon.mjs, ~10-20 ms
 * less per daemon. So non-ASCII code points, comments only by then, become
 * '?' (one per UTF-16 unit, so source-map columns stay right).
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => '?'.repeat(c.length));
  if (ascii !== text) writeFileSync(file, ascii);
}

console.log(`build-ecosystem: dist/daemon.mjs (+ daemon.cjs, zod.cjs), dist/runtime.mjs (+ runtime.cjs) in ${Math.round(performance.now() - started)} ms`);
