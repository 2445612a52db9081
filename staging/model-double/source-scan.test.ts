// The double must never know our scenarios (INF-14): every
// quoted string of 12+ characters in scenarios/ is a scenario sentence, and
// none may appear in the double's source.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCENARIOS = join(ROOT, 'scenarios');
// The generality check's scenarios (examples/README.md) are material the double must not know either.
const EXAMPLE_SCENARIOS = join(ROOT, 'examples/scenarios');
const MIN_LENGTH = 12;

function walk(dir: string, keep: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : walk(path, keep);
    return keep(path) ? [path] : [];
  });
}

/** String literals ("…", '…', `…`) of a TS or JSON source, comments skipped. */
export function stringLiterals(source: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < source.length) {
    const two = source.slice(i, i + 2);
    if (two === '//') i = source.indexOf('\n', i) < 0 ? source.length : source.indexOf('\n', i);
    else if (two === '/*') i = source.indexOf('*/', i + 2) < 0 ? source.length : source.indexOf('*/', i + 2) + 2;
    else if (source[i] === '"' || source[i] === "'" || source[i] === '`') {
      const quote = source[i];
      let value = '';
      i += 1;
      while (i < source.length && source[i] !== quote && (quote === '`' || source[i] !== '\n')) {
        if (source[i] === '\\' && i + 1 < source.length) {
          const next = source[i + 1];
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
        } else {
          value += source[i];
          i += 1;
        }
      }
      out.push(value);
      i += 1;
    } else i += 1;
  }
  return out;
}

/** Which of `sentences` occur (case-insensitively) in which of `files`. */
export function findLeaks(sentences: string[], files: Array<{ path: string; text: string }>): string[] {
  const leaks: string[] = [];
  for (const file of files) {
    const haystack = file.text.toLowerCase();
    for (const s of sentences) if (haystack.includes(s.toLowerCase())) leaks.push(`${file.path}: "${s}"`);
  }
  return leaks;
}

function scenarioStrings(): string[] {
  const files = [SCENARIOS, EXAMPLE_SCENARIOS].flatMap((dir) => walk(dir, (f) => /\.(ts|json)$/.test(f)));
  const strings = files.flatMap((f) => stringLiterals(readFileSync(f, 'utf8')));
  return [...new Set(strings.map((s) => s.trim()).filter((s) => s.length >= MIN_LENGTH))];
}

const read = (paths: string[]) => paths.map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));

test('the scanner finds a planted scenario sentence (so the real scan can fail)', () => {
  const planted = stringLiterals(`// it's a comment\nexport const s = { inputPrompt: 'Water the ficus at dawn', id: "X-1" };`);
  expect(planted).toEqual(['Water the ficus at dawn', 'X-1']);
  expect(findLeaks(['Water the ficus at dawn'], [{ path: 'policy.ts', text: 'if (t.includes("water the FICUS at dawn"))' }])).toEqual([
    'policy.ts: "Water the ficus at dawn"',
  ]);
  expect(findLeaks(['Water the ficus at dawn'], [{ path: 'policy.ts', text: 'const x = 1;' }])).toEqual([]);
});

test('no scenario string appears in the model double source', () => {
  const sentences = scenarioStrings();
  const sources = walk(HERE, (f) => f.endsWith('.ts'));
  // The double itself: every source file that is not a test or a test fixture.
  const policy = sources.filter((f) => !f.endsWith('.test.ts') && !f.endsWith('test-fixtures.ts'));
  // Tests may name tools the scenarios also name, but never reuse a scenario sentence.
  const testCode = sources.filter((f) => !policy.includes(f) && !f.endsWith('source-scan.test.ts'));
  const leaks = [
    ...findLeaks(sentences, read(policy)),
    ...findLeaks(sentences.filter((s) => /\s/.test(s)), read(testCode)),
  ];
  const report = `checked ${sentences.length} scenario strings from ${relative(ROOT, SCENARIOS)}/ and ${relative(ROOT, EXAMPLE_SCENARIOS)}/ against ${policy.length} double source files and ${testCode.length} test files`;
  test.info().annotations.push({ type: 'source-scan', description: report });
  console.log(`model double source scan: ${report}`);
  expect(policy.length).toBeGreaterThan(10);
  expect(leaks, `scenario strings found in the double:\n${leaks.join('\n')}`).toEqual([]);
});
