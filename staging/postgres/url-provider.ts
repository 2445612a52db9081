import type { Availability, ProviderContext } from './chain.ts';
import { inspectServer, redactUrl } from './server-info.ts';
import { firstLine, type StartedServer } from './types.ts';

export function probeUrl(env: NodeJS.ProcessEnv): Availability {
  const url = env.E2E_DATABASE_URL?.trim();
  if (!url) return { ok: false, reason: 'E2E_DATABASE_URL unset' };
  try {
    const parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) return { ok: false, reason: `E2E_DATABASE_URL is not a postgres:// URL (${parsed.protocol})` };
  } catch {
    return { ok: false, reason: 'E2E_DATABASE_URL is not a valid URL' };
  }
  return { ok: true };
}

/**
 * A shared server the user runs. Nothing is started or stopped here: the
 * caller provisions with a run suffix and drops exactly what it created.
 */
export async function connectUrl(ctx: ProviderContext): Promise<StartedServer> {
  const adminUrl = (ctx.env.E2E_DATABASE_URL ?? '').trim();
  const parsed = new URL(adminUrl);
  let info;
  try {
    info = await inspectServer(adminUrl);
  } catch (err) {
    throw new Error(`cannot connect to E2E_DATABASE_URL ${redactUrl(adminUrl)}: ${firstLine(err)}`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(parsed.port || 5432);
  ctx.log(`postgres: url ${redactUrl(adminUrl)} (${info.version}), shared server; run objects get a suffix`);
  return { provider: 'url', adminUrl, host, port, ...info, stop: async () => undefined };
}
