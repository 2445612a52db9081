import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Ecosystem } from './ecosystem/types.ts';

/** Environment variables whose values are planted secrets (staging/daemon-env.ts) or the API key. */
export const CANARY_VARS = ['E2E_CANARY_SECRET', 'GITHUB_TOKEN', 'HEALTH_DEVICE_TOKEN', 'RELATIONSHIP_CONTACTS_TOKEN', 'DATABASE_URL', 'ANTHROPIC_API_KEY'] as const;

/** Every planted value of this worker's daemons, by variable name. */
export function canaryValues(eco: Ecosystem): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of Object.keys(eco.butlers)) {
    const env = eco.supervisor.spec(b).env;
    for (const k of CANARY_VARS) if (env[k] && env[k]!.length >= 12) out.set(env[k]!, k);
  }
  return out;
}

/**
 * Records this worker's planted values where the canary reporter
 * (reporters/canary-reporter.ts) reads them after the reports are written; a
 * no-op when no such reporter runs. The file is private to the user and
 * deleted by the reporter.
 */
export function recordCanaries(eco: Ecosystem, workerIndex: number, dir = process.env.E2E_CANARY_DIR): void {
  if (!dir) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dir, `w${workerIndex}-${process.pid}.json`), JSON.stringify(Object.fromEntries(canaryValues(eco))), { mode: 0o600 });
}

/**
 * The whole-worker canary sweep (docs/security.md): at the end of a worker's
 * run, every planted value is looked for in the run log, every text column of
 * every butler database and every span the collector received. Returns one
 * sentence per place a value was found; empty when clean.
 */
export async function canarySweep(eco: Ecosystem): Promise<string[]> {
  const values = canaryValues(eco);
  const hits: string[] = [];
  const found = (text: string) => [...values.entries()].filter(([v]) => text.includes(v)).map(([, k]) => k);

  const log = readFileSync(eco.logFile, 'utf8').split('\n');
  log.forEach((line, i) => {
    for (const k of found(line)) {
      let where = '';
      try {
        const o = JSON.parse(line) as { butler?: string; component?: string; event?: string };
        where = ` (${o.butler ?? o.component ?? '?'} ${o.event ?? ''})`;
      } catch { /* not JSON: a stderr line */ }
      hits.push(`${k} value in the run log ${eco.logFile} line ${i + 1}${where}`);
    }
  });

  const list = [...values.keys()];
  for (const b of Object.keys(eco.butlers)) {
    const db = eco.admin(b);
    const { rows: cols } = await db.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
        where table_schema = 'public' and data_type in ('text', 'jsonb', 'json', 'character varying')`,
    );
    const tables = new Map<string, string[]>();
    for (const c of cols) tables.set(c.table_name, [...(tables.get(c.table_name) ?? []), c.column_name]);
    for (const [table, columns] of tables) {
      const text = columns.map((c) => `coalesce("${c}"::text, '')`).join(" || ' ' || ");
      const { rows } = await db.query<{ v: string }>(`select v from unnest($1::text[]) v where exists (select 1 from "${table}" where strpos(${text}, v) > 0)`, [list]);
      for (const r of rows) hits.push(`${values.get(r.v)} value in database ${b}, table ${table}`);
    }
  }

  if (!eco.reused) {
    for (const s of eco.collector.spans()) for (const k of found(JSON.stringify(s))) hits.push(`${k} value in span ${s.name} of ${s.service} (trace ${s.traceId})`);
  }
  return hits;
}
