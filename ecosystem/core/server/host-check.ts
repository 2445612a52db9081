import type http from 'node:http';

/**
 * DNS-rebinding protection (MCP security best practices; the conformance
 * suite's `dns-rebinding-protection`): a page on evil.example.com whose name
 * resolves to 127.0.0.1 reaches a loopback server with `Host:
 * evil.example.com` and `Origin: http://evil.example.com`. A butler answers
 * only when the Host names a loopback address (or the address it is bound to),
 * with any port (a fault proxy in front changes the port, not the name), and,
 * when an Origin is sent, only a loopback or bound-host origin.
 */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(hostHeader: string): string | null {
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Null when the request may be served; else the reason to refuse it (403). */
export function rebindingRefusal(req: Pick<http.IncomingMessage, 'headers'>, bindHost = '127.0.0.1'): string | null {
  const allowed = (name: string | null) => !!name && (LOOPBACK.has(name) || name === bindHost.toLowerCase());
  const host = req.headers.host;
  if (typeof host !== 'string' || !allowed(hostnameOf(host))) return `Host header ${JSON.stringify(host ?? null)} is not this server (a loopback name is required)`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let name: string | null = null;
    try {
      name = typeof origin === 'string' && origin !== 'null' ? new URL(origin).hostname.toLowerCase() : null;
    } catch {
      name = null;
    }
    if (!allowed(name)) return `Origin ${JSON.stringify(origin)} is not allowed (a loopback origin is required)`;
  }
  return null;
}
