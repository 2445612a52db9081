import path from 'node:path';
import type { Ecosystem } from './ecosystem.ts';
import { withDatabase } from './postgres/urls.ts';

/** The once-per-boot summary: provider, endpoints, psql lines, log file, failures. */
export function describeEcosystem(eco: Ecosystem): string {
  const lines = [
    `ecosystem w${eco.parallelIndex} ready in ${eco.bootMs} ms — PostgreSQL ${eco.postgres.version} via ${eco.postgres.provider}` +
      (eco.postgres.hasPgvector ? ' (pgvector)' : ' (no pgvector: memory module expected failed/startup)'),
  ];
  for (const s of eco.postgres.skipped) lines.push(`  provider ${s.provider} skipped: ${s.reason}`);
  for (const b of Object.values(eco.butlers)) {
    const proxy = b.proxy ? `  proxy :${b.proxy.port}` : '';
    lines.push(`  ${b.name.padEnd(13)} ${b.url}${proxy}  pid ${b.pid}  psql ${withDatabase(eco.postgres.adminUrl, b.database)}`);
  }
  for (const f of eco.failed) lines.push(`  ${f.butler.padEnd(13)} FAILED: ${f.message.split('\n')[0]}`);
  lines.push(`  log: ${path.relative(process.cwd(), eco.logFile)} (also .tmp/e2e-logs/e2e-latest.log)`);
  return lines.join('\n');
}
