import pg from 'pg';

/** Version and pgvector availability, the two facts every provider reports. */
export interface ServerInfo {
  version: string;
  hasPgvector: boolean;
}

/** `server_version` may carry distribution text ("15.14 (Debian 15.14-0+deb12u1)"); keep the number. */
export function cleanVersion(raw: string): string {
  return raw.trim().split(/\s+/)[0] ?? raw;
}

/** Reads ServerInfo; `newAdminPassword` (hex only) is set on the connecting role in the same session. */
export async function inspectServer(adminUrl: string, newAdminPassword?: string): Promise<ServerInfo> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    if (newAdminPassword !== undefined) {
      if (!/^[0-9a-f]+$/.test(newAdminPassword)) throw new Error('admin password must be hex');
      await client.query(`ALTER ROLE CURRENT_USER PASSWORD '${newAdminPassword}'`);
    }
    const { rows } = await client.query<{ version: string; pgvector: boolean }>(
      `select current_setting('server_version') as version,
              exists(select 1 from pg_available_extensions where name = 'vector') as pgvector`,
    );
    const row = rows[0];
    if (!row) throw new Error('server returned no row for server_version');
    return { version: cleanVersion(row.version), hasPgvector: row.pgvector };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
