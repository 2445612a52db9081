import type { PendingEntry, Requirement } from './requirements.ts';
import { citedIds } from './requirements.ts';

/** One test as the runner lists it: its project and its full title (describe titles › test title). */
export interface ListedTest {
  project: string;
  title: string;
  location: string;
}

export interface CoverageReport {
  /** Catalog ids no test title cites and that are not pending. */
  uncited: Requirement[];
  /** Pending entries whose id a test now cites. */
  stale: PendingEntry[];
  /** Ids cited by a title that the catalog does not have. */
  unknown: { id: string; test: ListedTest }[];
  /** Pending entries that name no catalog id, repeat an id, or give another domain than the catalog. */
  badPending: { entry: PendingEntry; why: string }[];
  /** id → the tests citing it. */
  citations: Map<string, ListedTest[]>;
}

/** Compares the catalog, the pending list and the listed tests; pure, so its rules are unit-tested. */
export function checkCoverage(catalog: Map<string, Requirement>, pending: PendingEntry[], tests: ListedTest[]): CoverageReport {
  const citations = new Map<string, ListedTest[]>();
  const unknown: CoverageReport['unknown'] = [];
  for (const test of tests) {
    for (const id of new Set(citedIds(test.title))) {
      if (!catalog.has(id)) unknown.push({ id, test });
      else citations.set(id, [...(citations.get(id) ?? []), test]);
    }
  }
  const badPending: CoverageReport['badPending'] = [];
  const pendingIds = new Set<string>();
  for (const entry of pending) {
    const req = catalog.get(entry.id);
    if (!req) badPending.push({ entry, why: `${entry.id} is not in docs/requirements.md` });
    else if (pendingIds.has(entry.id)) badPending.push({ entry, why: `${entry.id} is listed twice` });
    else if (req.domain !== entry.domain) badPending.push({ entry, why: `${entry.id} belongs to ${req.domain}, not ${entry.domain}` });
    pendingIds.add(entry.id);
  }
  const stale = pending.filter((e) => citations.has(e.id));
  const uncited = [...catalog.values()].filter((r) => !citations.has(r.id) && !pendingIds.has(r.id));
  return { uncited, stale, unknown, badPending, citations };
}

/** The failure text: one line per problem, with what to do. Empty when coverage holds. */
export function describeProblems(report: CoverageReport): string[] {
  const lines: string[] = [];
  for (const r of report.uncited) lines.push(`uncited: ${r.id} (${r.domain}) is cited by no test title; cite it in a test or add "${r.id} ${r.domain}" to catalog/pending.txt`);
  for (const e of report.stale) lines.push(`stale pending entry: ${e.id} is cited by "${report.citations.get(e.id)?.[0]?.title}"; remove line ${e.line} of catalog/pending.txt`);
  for (const u of report.unknown) lines.push(`unknown id: ${u.id} in "${u.test.title}" (${u.test.location}) is not in docs/requirements.md; fix the title or add the requirement`);
  for (const b of report.badPending) lines.push(`catalog/pending.txt:${b.entry.line}: ${b.why}`);
  return lines;
}
