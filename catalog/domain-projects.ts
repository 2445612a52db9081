import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The testing domains that run against an ecosystem after the smoke gate, one Playwright project each. */
export const DOMAINS = ['flows', 'contracts', 'resilience', 'observability', 'security', 'scheduling', 'state', 'approvals', 'performance'] as const;

/** Whether `dir` (recursively) holds a `*.spec.ts`. */
export function hasSpecs(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { withFileTypes: true }).some((e) =>
    e.isDirectory() ? hasSpecs(path.join(dir, e.name)) : e.name.endsWith('.spec.ts'),
  );
}

export function specsDir(domain: string, root = ROOT): string {
  return path.join(root, 'specs', domain);
}

/**
 * Project names given on the command line: `--project=a`, `--project a b`
 * (Playwright's option is variadic: names run until the next option).
 */
export function requestedProjects(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--project=')) out.push(arg.slice('--project='.length));
    else if (arg === '--project') {
      while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) out.push(argv[++i]);
    }
  }
  return out.flatMap((name) => name.split(',')).filter(Boolean);
}

/**
 * The one line to print when the command line asks for a domain that has no
 * specs yet, or null. Playwright itself would run only the smoke gate and
 * report success, which reads as "approvals passed".
 */
export function emptyDomainRequest(argv: readonly string[], root = ROOT): string | null {
  const empty = requestedProjects(argv).filter((name) => (DOMAINS as readonly string[]).includes(name) && !hasSpecs(specsDir(name, root)));
  if (empty.length === 0) return null;
  const names = empty.map((n) => `"${n}"`).join(', ');
  return `project ${names} has no tests yet: ${empty.map((n) => `specs/${n}/`).join(', ')} holds no *.spec.ts (its catalog ids are listed as pending in catalog/pending.txt; see docs/requirements.md)`;
}
