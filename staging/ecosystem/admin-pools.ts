import pg from 'pg';
import type { ProvisionedButler } from '../postgres/index.ts';
import { withDatabase } from '../postgres/urls.ts';

/**
 * Admin pools on the butlers' databases, one per database, made on first
 * use. A butler whose database does not exist (yet) is an error naming the
 * ones that do.
 */
export class AdminPools {
  private readonly pools = new Map<string, pg.Pool>();

  constructor(
    private readonly adminUrl: () => string | undefined,
    private readonly provisioned: Record<string, ProvisionedButler>,
  ) {}

  pool(butler: string): pg.Pool {
    const url = this.adminUrl();
    const known = Object.keys(this.provisioned);
    if (!url) throw new Error(`no database for butler "${butler}" yet: PostgreSQL has not started (admin pools exist once the boot provisioned the databases)`);
    const db = this.provisioned[butler]?.database;
    if (!db) {
      throw new Error(
        `no database for butler "${butler}"; known butlers: ${known.length ? known.join(', ') : '(none provisioned yet)'}` +
          ' (an ad-hoc butler has its own handle: use its .sql)',
      );
    }
    let pool = this.pools.get(db);
    if (!pool) {
      pool = new pg.Pool({ connectionString: withDatabase(url, db), max: 4 });
      pool.on('error', () => {});
      this.pools.set(db, pool);
    }
    return pool;
  }

  async end(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end().catch(() => {})));
    this.pools.clear();
  }
}
