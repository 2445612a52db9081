import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Production sources of a folder: no tests, no test support. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['testing', '_test', 'node_modules'].includes(entry.name)) out.push(...sources(rel));
    } else if (/\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) out.push(rel);
  }
  return out;
}

/** Relative import targets of a file, resolved to repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((s) => path.normalize(path.join(path.dirname(file), s)));
}

function violations(files: string[], forbidden: string[]): string[] {
  return files.flatMap((file) => importsOf(file).filter((target) => forbidden.some((f) => target.startsWith(f))).map((target) => `${file} imports ${target}`));
}

test('core never imports the daemon: extensions plug in through core/extension.ts', () => {
  expect(violations(sources('ecosystem/core'), ['ecosystem/daemon/'])).toEqual([]);
});

test('production code of the ecosystem and roster imports no harness and no test support', () => {
  const files = [...sources('ecosystem'), ...sources('roster')];
  expect(files.length).toBeGreaterThan(50);
  expect(violations(files, ['staging/', 'fixtures/', 'specs/', 'scenarios/', 'reporters/', 'catalog/', 'ecosystem/testing/', 'roster/_test/'])).toEqual([]);
});

test('the scan sees a forbidden import when there is one', () => {
  expect(importsOf('ecosystem/testing/spawner-world.ts')).toContain(path.normalize('staging/model-double/index.ts'));
});
