import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { loadRosterTools } from './roster-tools.ts';

// Tools without zod: run from source, a CommonJS bundle would get zod's other
// (CJS) instance, so these exercise the loader, not the schemas.
const tool = (name: string, extra = '') =>
  `${extra}\nexport default { name: '${name}', description: 'answers ${name}', input: {}, handler: async () => ({ ok: '${name}' }) };\n`;

function roster(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'roster-tools-'));
  mkdirSync(path.join(dir, 'tools'));
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, 'tools', f), text);
  return dir;
}

async function load(dir: string, format: 'cjs' | 'esm') {
  const r = await loadRosterTools(dir, 'roster/t', format);
  return { ...r, names: r.tools.map((t) => t.tool.name) };
}

test('roster tools load from a CommonJS bundle, cached until a tool file changes', async () => {
  const dir = roster({ 'a.ts': tool('ping_a'), 'b.ts': tool('ping_b', "import { randomUUID } from 'node:crypto'; void randomUUID;") });
  const dirs = [dir];
  try {
    const first = await load(dir, 'cjs');
    dirs.push(path.dirname(first.bundle!));
    expect(first).toMatchObject({ cached: false, format: 'cjs', names: ['ping_a', 'ping_b'] });
    expect(first.bundle).toMatch(/\.cjs$/);
    expect(await first.tools[0].tool.handler({} as never, {} as never)).toEqual({ ok: 'ping_a' });
    expect(await load(dir, 'cjs')).toMatchObject({ cached: true, format: 'cjs' });
    // A cache built for the other format is not reused.
    expect(await load(dir, 'esm')).toMatchObject({ cached: false, format: 'esm' });
    writeFileSync(path.join(dir, 'tools', 'a.ts'), tool('ping_c'));
    expect(await load(dir, 'cjs')).toMatchObject({ cached: false, format: 'cjs', names: ['ping_c', 'ping_b'] });
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('tools with a top-level await fall back to an ESM bundle, and the fallback is remembered', async () => {
  const dir = roster({ 'a.ts': tool('late', 'const delay = await Promise.resolve(1); void delay;') });
  const dirs = [dir];
  try {
    const first = await load(dir, 'cjs');
    dirs.push(path.dirname(first.bundle!));
    expect(first).toMatchObject({ cached: false, format: 'esm', names: ['late'] });
    expect(first.bundle).toMatch(/\.mjs$/);
    expect(await load(dir, 'cjs')).toMatchObject({ cached: true, format: 'esm' });
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('an ESM-only package loads: by require() where Node can (20.19+), else from an ESM bundle', async () => {
  // get-port has no CommonJS entry.
  const dir = roster({ 'a.ts': tool('ports', "import getPort from 'get-port'; if (typeof getPort !== 'function') throw new Error('no get-port');") });
  const dirs = [dir];
  try {
    const first = await load(dir, 'cjs');
    dirs.push(path.dirname(first.bundle!));
    const requireEsm = (process.features as { require_module?: boolean }).require_module === true;
    expect(first).toMatchObject({ cached: false, format: requireEsm ? 'cjs' : 'esm', names: ['ports'] });
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('a tool file that does not compile is one error naming the file and line', async () => {
  const dir = roster({ 'bad.ts': 'export default { name: "x", description: ; };\n' });
  try {
    const err = await load(dir, 'cjs').catch((e: Error) => e);
    expect(String((err as Error).message)).toMatch(/cannot compile the roster tools of roster\/t: .*bad\.ts:1:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
