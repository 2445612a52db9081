import { expect, test } from '@playwright/test';
import { checkCoverage, describeProblems, type ListedTest } from './coverage.ts';
import { listTests } from './list-tests.ts';
import { DOMAIN_OF, loadCatalog, loadPending, parseCatalog, parsePending, PREFIXES } from './requirements.ts';

const catalog = loadCatalog();

/** How many ids each domain's catalog holds; a row deleted from docs/requirements.md must show up here. */
const EXPECTED_COUNTS = { SMK: 9, FLW: 13, SCN: 7, CON: 47, RES: 35, OBS: 26, SEC: 22, SCH: 27, STA: 21, APR: 23, PRF: 17, INF: 15 };

test('the catalog holds all 262 ids of the twelve domains, each with a statement', () => {
  const counts = Object.fromEntries(PREFIXES.map((p) => [p, [...catalog.keys()].filter((id) => id.startsWith(`${p}-`)).length]));
  expect(counts).toEqual(EXPECTED_COUNTS);
  expect(catalog.size).toBe(262);
  for (const req of catalog.values()) expect(req.statement.length, `${req.id} statement`).toBeGreaterThan(20);
});

test('INF-12 every catalog id is cited by a test title unless pending, and no title cites an unknown id', () => {
  const tests = listTests();
  expect(tests.length, 'playwright test --list found no tests').toBeGreaterThan(100);
  const report = checkCoverage(catalog, loadPending(), tests);
  const problems = describeProblems(report);
  expect(problems, `coverage problems:\n${problems.join('\n')}`).toEqual([]);
  test.info().annotations.push({ type: 'coverage', description: `${report.citations.size} of ${catalog.size} ids cited, ${loadPending().length} pending` });
});

test.describe('coverage rules', () => {
  const cat = parseCatalog('| APR-01 | a gated call waits for a decision. |\n| APR-02 | an ungated call runs straight through. |\n| SMK-01 | every butler answers its health check. |\n');
  const t = (title: string): ListedTest => ({ project: 'approvals', title, location: 'x.spec.ts:1' });

  test('an id no title cites fails, naming the id and its domain', () => {
    const lines = describeProblems(checkCoverage(cat, [], [t('APR-01 waits'), t('SMK-01 answers')]));
    expect(lines).toEqual([expect.stringMatching(/^uncited: APR-02 \(approvals\)/)]);
  });

  test('a pending id is allowed to be uncited', () => {
    const pending = parsePending('APR-02 approvals\n');
    expect(describeProblems(checkCoverage(cat, pending, [t('APR-01 waits'), t('SMK-01 answers')]))).toEqual([]);
  });

  test('a pending id that a title now cites is a stale entry', () => {
    const pending = parsePending('# comment\n\nAPR-02 approvals\n');
    const lines = describeProblems(checkCoverage(cat, pending, [t('APR-01 waits'), t('APR-02 runs'), t('SMK-01 answers')]));
    expect(lines).toEqual([expect.stringMatching(/^stale pending entry: APR-02 .*remove line 3 of catalog\/pending.txt/)]);
  });

  test('a title citing an id the catalog lacks fails, naming the test', () => {
    const lines = describeProblems(checkCoverage(cat, parsePending('APR-02 approvals'), [t('APR-01 waits'), t('SMK-01 answers'), t('APR-99 invented')]));
    expect(lines).toEqual([expect.stringMatching(/^unknown id: APR-99 in "APR-99 invented" \(x.spec.ts:1\)/)]);
  });

  test('a describe title counts as part of the test title', () => {
    expect(describeProblems(checkCoverage(cat, [], [t('APR-01 › waits'), t('flows › APR-02 runs › row'), t('SMK-01 x')]))).toEqual([]);
  });

  test('pending entries must name a catalog id once, with its own domain', () => {
    const pending = parsePending('APR-02 approvals\nAPR-02 approvals\nAPR-77 approvals\nSMK-01 approvals\n');
    const lines = describeProblems(checkCoverage(cat, pending, [t('APR-01 a')]));
    expect(lines).toEqual([
      'catalog/pending.txt:2: APR-02 is listed twice',
      'catalog/pending.txt:3: APR-77 is not in docs/requirements.md',
      'catalog/pending.txt:4: SMK-01 belongs to smoke, not approvals',
    ]);
  });

  test('a malformed pending line or catalog row is an error naming the line', () => {
    expect(() => parsePending('APR-02\n')).toThrow('catalog/pending.txt:1: "APR-02" is not "ID domain"');
    expect(() => parseCatalog('| APR-01 | x |\n| APR-01 | y |\n')).toThrow('docs/requirements.md:2: APR-01 is listed twice (first on line 1)');
    expect(() => parseCatalog('| ABC-01 | x |\n')).toThrow('ABC-01 has an unknown prefix');
    expect(() => parseCatalog('| APR-01 |  |\n')).toThrow('APR-01 has no statement');
  });

  test('every prefix maps to a domain', () => {
    for (const p of PREFIXES) expect(DOMAIN_OF[p]).toMatch(/^[a-z]+$/);
  });
});
