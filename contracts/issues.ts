import type { z } from 'zod';

/**
 * One validation problem in the wire format every contract uses:
 * `path` is dotted (`payload.content_type`, `source`, `` for the root),
 * `code` is a stable issue code, `message` is for humans.
 */
export interface ContractIssue {
  path: string;
  code: string;
  message: string;
}

/** Renders a zod path as `scenarios[2].expectedButlers` (numbers as indexes). */
export function formatPath(path: readonly (string | number)[], root = ''): string {
  let out = root;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** Renders a path the way the ingest contract reports it: plain dots, no brackets. */
export function dottedPath(path: readonly (string | number)[]): string {
  return path.map(String).join('.');
}

/**
 * Maps zod issues to contract issues. Custom issues carry their contract code
 * in `params.code`; a key that is absent becomes `required` (zod 3 reports it
 * as `invalid_type` received `undefined`); `unrecognized_keys` is split into
 * one issue per key whose path names the key itself.
 */
export function toContractIssues(error: z.ZodError): ContractIssue[] {
  const issues: ContractIssue[] = [];
  for (const issue of error.issues) {
    const path = dottedPath(issue.path);
    if (issue.code === 'custom') {
      const code = typeof issue.params?.code === 'string' ? issue.params.code : 'custom';
      issues.push({ path, code, message: issue.message });
    } else if (issue.code === 'invalid_type' && issue.received === 'undefined') {
      issues.push({ path, code: 'required', message: `${path || 'value'} is required` });
    } else if (issue.code === 'unrecognized_keys') {
      const where = path === '' ? 'the envelope' : path;
      for (const key of issue.keys) {
        issues.push({
          path: dottedPath([...issue.path, key]),
          code: 'unrecognized_keys',
          message: `unknown key "${key}" in ${where}; remove it (this receiver does not accept keys it does not know)`,
        });
      }
    } else {
      const message = path !== '' && issue.message.includes(path) ? issue.message : `${path || 'value'}: ${issue.message}`;
      issues.push({ path, code: issue.code, message });
    }
  }
  return issues;
}

/**
 * Formats a zod error for a data file: one line per issue, each
 * `<file>: <path>: <message>`, e.g.
 * `scenarios/foo.ts: scenarios[2].expectedButlers: Expected array, received string`.
 * `root` prefixes the path (the name of the exported value).
 */
export function formatZodIssues(file: string, error: z.ZodError, root = ''): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const where = formatPath([...issue.path, key], root);
        lines.push(`${file}: ${where}: unknown key "${key}" (a typo? remove or rename it)`);
      }
      continue;
    }
    const where = formatPath(issue.path, root) || '(root)';
    lines.push(`${file}: ${where}: ${issue.message}`);
  }
  return lines;
}
