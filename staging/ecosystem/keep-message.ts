import path from 'node:path';
import type { Ecosystem } from './types.ts';

/** What E2E_KEEP=1 prints at the end: what was kept, how to look inside, the line that removes it. */
export function keepMessage(eco: Ecosystem): string {
  const cleanup =
    eco.postgres.provider === 'testcontainers'
      ? 'docker ps --filter ancestor=<image> then docker rm -f <container>'
      : eco.postgres.provider === 'url'
        ? `drop the databases and roles ending in _${eco.runId}_w${eco.parallelIndex}`
        : eco.postgres.dataDir
          ? `kill -INT $(head -1 ${eco.postgres.dataDir}/postmaster.pid); rm -rf ${path.dirname(eco.postgres.dataDir)} ${eco.runDir}`
          : `rm -rf ${eco.runDir}`;
  return [
    'E2E_KEEP=1: the daemons were stopped; PostgreSQL and every butler database were left up for inspection.',
    `  inspect: psql ${eco.postgres.adminUrl}   (databases: ${Object.values(eco.butlers).map((b) => b.database).join(', ')})`,
    `  cleanup: ${cleanup}`,
  ].join('\n');
}
