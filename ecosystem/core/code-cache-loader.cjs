// Starts a CommonJS bundle (dist/daemon.cjs, dist/runtime.cjs) with a V8 code
// cache, so a daemon or a session process does not compile the same 1-3 MB of
// JavaScript again at every start. Copied to dist/code-cache-loader.cjs by
// scripts/build-ecosystem.mjs, which also writes the two entry points that
// call it: dist/daemon.mjs (an ES module, for the import() hook the daemon's
// bundle needs) and dist/runtime-main.cjs (CommonJS: a session process starts
// in the path of every classify and dispatch, and an ES module entry costs it
// Node's ES module loader, about 13 ms).
//
// The cache is V8's own (vm.Script cachedData): V8 checks it against the
// source and its flags and rejects a stale one, which is then replaced. It
// is written when a process that did its work exits (a daemon that became
// ready, a session process that finished: the bundle sets
// Symbol.for('butlers.<name>.ready')), so it holds the functions such a
// process really runs, not only the top level. Kept per bundle (path, size,
// mtime) and Node version in <tmpdir>/butlers-v8-cache-<uid>/;
// BUTLERS_CODE_CACHE=0 turns it off.
'use strict';
const { createHash } = require('node:crypto');
const { isAscii } = require('node:buffer');
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

/** Runs the CommonJS bundle `bundle` (dist/<name>.cjs) as its main module, through the code cache. */
module.exports = function runBundle(bundle, name) {
  const requireFromBundle = createRequire(bundle);
  if (process.env.BUTLERS_CODE_CACHE === '0') requireFromBundle(bundle);
  else runCached(bundle, name, requireFromBundle);
};

function runCached(bundle, name, requireFromBundle) {
  // The build makes the bundle pure ASCII (scripts/build-ecosystem.mjs): then
  // latin1 is the same text and decodes to a one-byte string without UTF-8 work.
  const bytes = readFileSync(bundle);
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const st = statSync(bundle);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const dir = path.join(os.tmpdir(), `butlers-v8-cache-${uid}`);
  const key = createHash('sha256').update([bundle, st.size, st.mtimeMs, process.version, process.arch].join('\0')).digest('hex').slice(0, 24);
  const file = path.join(dir, `${key}.bin`);
  let cachedData;
  try {
    cachedData = readFileSync(file);
  } catch {
    cachedData = undefined;
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: bundle, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    process.once('exit', () => {
      // Only a process that did its work has run what later ones will run.
      if (!globalThis[Symbol.for(`butlers.${name}.ready`)]) return;
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, file);
        prune(dir, file);
      } catch {
        // A cache is an optimisation: a read-only temp dir just means no cache.
      }
    });
  }
  const fn = script.runInThisContext();
  const module = { exports: {}, filename: bundle, id: bundle, loaded: false };
  fn.call(module.exports, module.exports, requireFromBundle, module, bundle, path.dirname(bundle));
}

/**
 * Keeps the newest few caches (one per bundle build and Node version; two
 * bundles per checkout, and a machine may hold several checkouts: fewer
 * would have them evict each other's live caches).
 */
function prune(dir, keep) {
  const others = readdirSync(dir)
    .filter((n) => n.endsWith('.bin') && path.join(dir, n) !== keep)
    .map((n) => ({ n, t: statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of others.slice(11)) rmSync(path.join(dir, n), { force: true });
}
