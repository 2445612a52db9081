/**
 * The per-worker overlay every staged butler gets: its port and advertised
 * URL, its own database and role, the switchboard to register with, no
 * automatic tick (tests tick), short approval timeouts, debug logs tagged
 * with the worker.
 */
export function stagingOverlay(o: {
  port: number;
  advertisedUrl: string;
  pg: { host: string; port: number };
  db: { database: string; role: string; password: string };
  switchboardUrl?: string;
  worker: number;
}): Record<string, any> {
  return {
    advertised_url: o.advertisedUrl,
    butler: { port: o.port },
    db: { host: o.pg.host, port: o.pg.port, name: o.db.database, user: o.db.role, password: o.db.password, provision: false },
    ...(o.switchboardUrl ? { switchboard: { url: o.switchboardUrl } } : {}),
    scheduler: { auto_tick: false },
    approval_gates: { timeout_s: 15 },
    log: { level: 'debug', worker: o.worker },
  };
}

/** Streamable HTTP endpoint of a butler on loopback. */
export function loopbackMcpUrl(port: number): string {
  return `http://127.0.0.1:${port}/mcp`;
}
