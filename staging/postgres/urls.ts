/** The same server and credentials as `url`, on another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** A login role's connection string (IPv6 hosts bracketed; role and password URL-encoded). */
export function roleUrl(o: { host: string; port: number; role: string; password: string; database: string }): string {
  const host = o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host;
  return `postgres://${encodeURIComponent(o.role)}:${encodeURIComponent(o.password)}@${host}:${o.port}/${encodeURIComponent(o.database)}`;
}
