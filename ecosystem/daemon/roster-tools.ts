import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import type { ToolDef } from '../core/tool.ts';
import { StartupError } from '../core/startup-error.ts';
import { projectRoot } from '../core/paths.ts';
import { validateToolExport } from './validate-tool.ts';

/**
 * import() for this module. dist/daemon.mjs compiles the daemon bundle with a
 * V8 code cache, and functions restored from a code cache lose the host's
 * dynamic-import hook on Node 20; the loader therefore lends its own import().
 */
const dynamicImport: (specifier: string) => Promise<unknown> =
  ((globalThis as Record<symbol, unknown>)[Symbol.for('butlers.import')] as ((s: string) => Promise<unknown>) | undefined) ?? ((s) => import(s));

/** Roster tools plus how they were obtained (for the startup timing line). */
export interface RosterTools {
  tools: Array<{ file: string; tool: ToolDef }>;
  cached: boolean;
  ms: number;
  /** The bundle that was loaded (in the temp folder), and its module format; absent without tool files. */
  bundle?: string;
  format?: 'cjs' | 'esm';
}

interface Manifest {
  files: string[];
  inputs: Record<string, string>;
  bundle: string;
  /** 'cjs' unless the tools need ESM (top-level await, an ESM-only package); absent in older caches: 'esm'. */
  format?: 'cjs' | 'esm';
  /** True when ESM was the fallback for tools CommonJS cannot hold. */
  fallback?: boolean;
}

type ToolsModule = { default: Array<[string, Record<string, unknown>]> };

/**
 * Loads `<roster>/tools/*.ts`: one esbuild bundle of all files (cached in the
 * temp folder and rebuilt when any input changes), loaded once. Packages stay
 * external and resolve from the daemon's own node_modules, so a roster tool
 * shares `zod` with the daemon.
 *
 * The bundle is CommonJS and `require`d: the daemon has already required
 * dist/zod.cjs, so the tools get it from the require cache, where an ESM
 * import would first scan its 127 KB for export names (~15-25 ms per daemon
 * start) and go through the ESM loader. Tools that need ESM (top-level await,
 * an ESM-only package require() cannot load) are bundled as ESM and imported
 * instead, automatically.
 */
export async function loadRosterTools(rosterDir: string, short: string, preferred: 'cjs' | 'esm' = PREFERRED_FORMAT): Promise<RosterTools> {
  const started = performance.now();
  const toolsDir = path.join(rosterDir, 'tools');
  const files = existsSync(toolsDir)
    ? readdirSync(toolsDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts')).sort()
    : [];
  if (files.length === 0) return { tools: [], cached: true, ms: 0 };
  // Keyed by daemon location too: the bundle holds absolute URLs of its node_modules.
  const cacheDir = path.join(tmpdir(), `butlers-tools-${hash(`${rosterDir}\n${import.meta.url}`).slice(0, 16)}`);
  const manifestFile = path.join(cacheDir, 'manifest.json');
  let manifest = readManifest(manifestFile, files, preferred);
  const cached = manifest !== null;
  if (!manifest) manifest = await build(rosterDir, toolsDir, files, cacheDir, manifestFile, short, preferred, preferred);
  let mod: ToolsModule;
  try {
    mod = await loadBundle(path.join(cacheDir, manifest.bundle), manifest.format ?? 'esm');
  } catch (err) {
    // A package the tools import is ESM that require() cannot load: any ESM
    // before Node 20.19, ESM with top-level await after.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw err;
    manifest = await build(rosterDir, toolsDir, files, cacheDir, manifestFile, short, 'esm', preferred);
    mod = await loadBundle(path.join(cacheDir, manifest.bundle), 'esm');
  }
  const tools = mod.default.flatMap(([file, ns]) =>
    validateToolExport(ns.default, `${short}/tools/${file}`).map((tool) => ({ file: `${short}/tools/${file}`, tool })),
  );
  return { tools, cached, ms: Math.round(performance.now() - started), bundle: path.join(cacheDir, manifest.bundle), format: manifest.format ?? 'esm' };
}

const requireHere = createRequire(import.meta.url);

async function loadBundle(file: string, format: 'cjs' | 'esm'): Promise<ToolsModule> {
  if (format === 'esm') return (await dynamicImport(pathToFileURL(file).href)) as ToolsModule;
  return requireHere(file) as ToolsModule;
}

function readManifest(file: string, files: string[], preferred: 'cjs' | 'esm'): Manifest | null {
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (m.files.join('\n') !== files.join('\n')) return null;
    if ((m.format ?? 'esm') !== preferred && !m.fallback) return null;
    for (const [input, stamp] of Object.entries(m.inputs)) if (fileStamp(input) !== stamp) return null;
    return existsSync(path.join(path.dirname(file), m.bundle)) ? m : null;
  } catch {
    return null;
  }
}

async function build(
  rosterDir: string,
  toolsDir: string,
  files: string[],
  cacheDir: string,
  manifestFile: string,
  short: string,
  format: 'cjs' | 'esm',
  preferred: 'cjs' | 'esm',
): Promise<Manifest> {
  const esbuild = (await dynamicImport('esbuild')) as typeof import('esbuild');
  const entry =
    files.map((f, i) => `import * as m${i} from ${JSON.stringify(path.join(toolsDir, f))};`).join('\n') +
    `\nexport default [${files.map((f, i) => `[${JSON.stringify(f)}, m${i}]`).join(', ')}];\n`;
  mkdirSync(cacheDir, { recursive: true });
  let result;
  try {
    result = await esbuild.build({
      stdin: { contents: entry, resolveDir: toolsDir, sourcefile: 'roster-tools-entry.ts', loader: 'ts' },
      absWorkingDir: rosterDir,
      bundle: true,
      platform: 'node',
      format,
      target: 'node20',
      write: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [frameworkPackage(), externalPackages(format)],
    });
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors ?? [];
    // CommonJS cannot hold a top-level await: such tools are bundled as ESM.
    if (format === 'cjs' && errors.some((e) => /top-level await/i.test(e.text))) {
      return build(rosterDir, toolsDir, files, cacheDir, manifestFile, short, 'esm', preferred);
    }
    const detail = errors.map((e) => (e.location ? `${path.resolve(rosterDir, e.location.file)}:${e.location.line}: ${e.text}` : e.text)).join('; ');
    const fixes = [...new Set(errors.map((e) => importFix(e.text)).filter((f): f is string => f !== null))];
    throw new StartupError('server', `cannot compile the roster tools of ${short}: ${detail || (err as Error).message}${fixes.length ? `. Fix: ${fixes.join('; ')}` : ''}`);
  }
  const code = result.outputFiles[0].text;
  const bundle = `tools-${hash(code).slice(0, 16)}.${format === 'cjs' ? 'cjs' : 'mjs'}`;
  // Write-then-rename: another daemon of the same roster may be importing the previous bundle right now.
  writeAtomic(path.join(cacheDir, bundle), code);
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs)
      .filter((p) => !p.startsWith('<'))
      .map((p) => path.resolve(rosterDir, p))
      .map((p) => [p, fileStamp(p)]),
  );
  const manifest: Manifest = { files, inputs, bundle, format, ...(format !== preferred ? { fallback: true } : {}) };
  writeAtomic(manifestFile, JSON.stringify(manifest));
  return manifest;
}

/**
 * The bundled daemon requires zod from its sibling dist/zod.cjs (see
 * scripts/build-ecosystem.mjs); roster tools must use that same instance.
 * Run from source, the daemon uses node_modules' zod like everything else.
 */
const SHARED_ZOD = (() => {
  const url = new URL('./zod.cjs', import.meta.url);
  return url.protocol === 'file:' && existsSync(url) ? url.href : null;
})();

/**
 * CommonJS where the daemon runs from its bundle and zod is dist/zod.cjs.
 * Run from source (tests under tsx), the daemon's zod is node_modules' ESM
 * entry, and a CommonJS bundle would get zod's other (CJS) instance: ESM there.
 */
const PREFERRED_FORMAT: 'cjs' | 'esm' = SHARED_ZOD ? 'cjs' : 'esm';

/**
 * Bare imports resolve from the daemon's own location and stay external (one
 * zod for daemon and tools): as file URLs in an ESM bundle, as absolute paths
 * in a CommonJS one.
 */
function externalPackages(format: 'cjs' | 'esm'): Plugin {
  const asSpecifier = (url: string) => (format === 'cjs' ? fileURLToPath(url) : url);
  const builtins = new Set(builtinModules);
  return {
    name: 'butlers-external-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || builtins.has(args.path.split('/')[0])) return { path: args.path, external: true };
        if (SHARED_ZOD && (args.path === 'zod' || args.path === 'zod/v3')) return { path: asSpecifier(SHARED_ZOD), external: true };
        if (format === 'cjs') {
          try {
            return { path: requireHere.resolve(args.path), external: true };
          } catch {
            /* ESM-only (no require condition)? resolved below; loading it then falls back to an ESM bundle */
          }
        }
        try {
          return { path: asSpecifier(import.meta.resolve(args.path)), external: true };
        } catch {
          return { errors: [{ text: `package "${args.path}" (imported by ${args.importer}) is not installed next to the daemon` }] };
        }
      });
    },
  };
}

/** The public names roster code imports the ecosystem by, and the files they stand for. */
export const FRAMEWORK_ENTRIES: Readonly<Record<string, string>> = {
  '@butlers/framework': 'ecosystem/framework.ts',
  '@butlers/framework/contracts': 'contracts/index.ts',
};

/**
 * `@butlers/framework` (and `/contracts`) resolve to the files of the running
 * ecosystem and are bundled with the tools, as a relative import used to be:
 * a roster folder anywhere on disk gets the same framework as the daemon.
 */
function frameworkPackage(): Plugin {
  return {
    name: 'butlers-framework',
    setup(b) {
      b.onResolve({ filter: /^@butlers\/framework(\/.*)?$/ }, (args) => {
        const file = FRAMEWORK_ENTRIES[args.path];
        if (!file) {
          return { errors: [{ text: `"${args.path}" is not part of the framework; its entries are ${Object.keys(FRAMEWORK_ENTRIES).join(' and ')}` }] };
        }
        return { path: path.join(projectRoot(), file) };
      });
    },
  };
}

/** One sentence on how to fix an import esbuild could not resolve, when we know it. */
export function importFix(error: string): string | null {
  const m = /Could not resolve "([^"]+)"/.exec(error) ?? /package "([^"]+)"/.exec(error);
  if (!m) return null;
  const spec = m[1];
  if (/^\.{1,2}\//.test(spec) && /(^|\/)(ecosystem|contracts)\//.test(spec)) {
    return `import the ecosystem as "@butlers/framework" (contracts: "@butlers/framework/contracts") instead of the relative path "${spec}", so the roster folder works wherever it lives`;
  }
  if (/^\.{1,2}\//.test(spec) || spec.startsWith('/')) return `"${spec}" does not exist relative to the importing file; tools may import files inside the roster folder only`;
  if (spec.startsWith('@butlers/')) return null;
  return `install "${spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/')}" next to the harness (npm install in the checkout): roster tools share the daemon's node_modules`;
}

function fileStamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
