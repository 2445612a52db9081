import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { DOMAINS, emptyDomainRequest, hasSpecs, requestedProjects, specsDir } from './domain-projects.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('project names are read from --project=a, --project a b and comma lists', () => {
  expect(requestedProjects(['test', '--project=state'])).toEqual(['state']);
  expect(requestedProjects(['test', '--project', 'state', 'approvals', '--workers=2'])).toEqual(['state', 'approvals']);
  expect(requestedProjects(['test', '--project=unit,smoke', '-g', 'x'])).toEqual(['unit', 'smoke']);
  expect(requestedProjects(['test', '--grep', 'state'])).toEqual([]);
});

test('a requested domain without specs gives one line naming it; one with specs, or no request, gives none', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'domains-'));
  try {
    mkdirSync(path.join(root, 'specs', 'state', 'nested'), { recursive: true });
    writeFileSync(path.join(root, 'specs', 'state', 'nested', 'kv.spec.ts'), '');
    mkdirSync(path.join(root, 'specs', 'approvals'), { recursive: true });
    writeFileSync(path.join(root, 'specs', 'approvals', 'helpers.ts'), '');
    expect(hasSpecs(path.join(root, 'specs', 'state'))).toBe(true);
    expect(hasSpecs(path.join(root, 'specs', 'approvals'))).toBe(false);
    expect(emptyDomainRequest(['--project=state'], root)).toBeNull();
    expect(emptyDomainRequest([], root)).toBeNull();
    expect(emptyDomainRequest(['--project=unit'], root)).toBeNull();
    const line = emptyDomainRequest(['--project', 'approvals', 'state'], root);
    expect(line).toMatch(/^project "approvals" has no tests yet: specs\/approvals\/ holds no \*\.spec\.ts/);
    expect(line).not.toContain('\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('playwright test --project=<a domain without specs> fails with that line instead of running the smoke gate', () => {
  const empty = DOMAINS.find((d) => !hasSpecs(specsDir(d)));
  test.skip(!empty, 'every domain has specs now, so no command line can ask for an empty one');
  const res = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', `--project=${empty}`, '--list'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(res.status).toBe(1);
  expect(res.stderr.trim()).toBe(emptyDomainRequest([`--project=${empty}`]));
  expect(res.stdout).not.toContain('[smoke]');
});
