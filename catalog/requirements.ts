import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The catalog's id prefixes; an id is a prefix, a dash and two digits. */
export const PREFIXES = ['SMK', 'FLW', 'SCN', 'CON', 'RES', 'OBS', 'SEC', 'SCH', 'STA', 'APR', 'PRF', 'INF'] as const;
export type Prefix = (typeof PREFIXES)[number];

/** The domain each prefix belongs to: the name a pending entry gives. */
export const DOMAIN_OF: Record<Prefix, string> = {
  SMK: 'smoke',
  FLW: 'flows',
  SCN: 'flows',
  CON: 'contracts',
  RES: 'resilience',
  OBS: 'observability',
  SEC: 'security',
  SCH: 'scheduling',
  STA: 'state',
  APR: 'approvals',
  PRF: 'performance',
  INF: 'infrastructure',
};

export interface Requirement {
  id: string;
  domain: string;
  statement: string;
  /** 1-based line in docs/requirements.md. */
  line: number;
}

export const CATALOG_FILE = fileURLToPath(new URL('../docs/requirements.md', import.meta.url));
export const PENDING_FILE = fileURLToPath(new URL('./pending.txt', import.meta.url));

/** Every catalog id a text cites, in order of appearance (repeats kept). */
export function citedIds(text: string): string[] {
  return [...text.matchAll(new RegExp(`\\b(?:${PREFIXES.join('|')})-\\d{2}\\b`, 'g'))].map((m) => m[0]);
}

/**
 * Reads the rows `| ID | statement |` of the catalog page. A repeated id, an
 * empty statement or a row whose id has an unknown prefix is an error naming
 * the line, so a broken edit of the page cannot shrink the catalog silently.
 */
export function parseCatalog(text: string, file = 'docs/requirements.md'): Map<string, Requirement> {
  const out = new Map<string, Requirement>();
  text.split('\n').forEach((raw, index) => {
    const m = /^\|\s*([A-Z]{3}-\d{2})\s*\|(.*)\|\s*$/.exec(raw);
    if (!m) return;
    const [, id, rest] = m;
    const line = index + 1;
    const prefix = id.slice(0, 3) as Prefix;
    if (!PREFIXES.includes(prefix)) throw new Error(`${file}:${line}: ${id} has an unknown prefix; use one of ${PREFIXES.join(', ')}`);
    if (rest.includes('|')) throw new Error(`${file}:${line}: ${id} has more than two cells; a statement may not contain "|"`);
    const statement = rest.trim();
    if (!statement) throw new Error(`${file}:${line}: ${id} has no statement`);
    const seen = out.get(id);
    if (seen) throw new Error(`${file}:${line}: ${id} is listed twice (first on line ${seen.line})`);
    out.set(id, { id, domain: DOMAIN_OF[prefix], statement, line });
  });
  return out;
}

export function loadCatalog(file = CATALOG_FILE): Map<string, Requirement> {
  return parseCatalog(readFileSync(file, 'utf8'), file);
}

export interface PendingEntry {
  id: string;
  domain: string;
  line: number;
}

/**
 * `catalog/pending.txt`: one `ID domain` per line (`#` comments and blank
 * lines allowed), the ids no test cites yet, each with the domain whose issue
 * will cite it.
 */
export function parsePending(text: string, file = 'catalog/pending.txt'): PendingEntry[] {
  const out: PendingEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const body = raw.replace(/#.*/, '').trim();
    if (!body) return;
    const m = /^([A-Z]{3}-\d{2})\s+([a-z]+)$/.exec(body);
    if (!m) throw new Error(`${file}:${index + 1}: "${body}" is not "ID domain" (e.g. "APR-01 approvals")`);
    out.push({ id: m[1], domain: m[2], line: index + 1 });
  });
  return out;
}

export function loadPending(file = PENDING_FILE): PendingEntry[] {
  return parsePending(readFileSync(file, 'utf8'), file);
}
