import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { emptyDomainRequest, hasSpecs, requestedProjects } from './domain-projects.ts';


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
