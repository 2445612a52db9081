import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Availability } from './chain.ts';

/** Where a Docker engine may listen: a unix socket or a TCP address. */
export type DockerEndpoint = { kind: 'unix'; socketPath: string } | { kind: 'tcp'; host: string; port: number; tls: boolean };

/** The endpoints to try, in the order testcontainers itself would use them. */
export function dockerEndpoints(env: NodeJS.ProcessEnv): DockerEndpoint[] {
  const host = env.DOCKER_HOST?.trim();
  if (host) {
    if (host.startsWith('unix://')) return [{ kind: 'unix', socketPath: host.slice('unix://'.length) }];
    if (host.startsWith('tcp://')) {
      const url = new URL(host.replace(/^tcp:/, 'http:'));
      const tls = env.DOCKER_TLS_VERIFY === '1';
      return [{ kind: 'tcp', host: url.hostname, port: Number(url.port || (tls ? 2376 : 2375)), tls }];
    }
    return [];
  }
  const candidates = ['/var/run/docker.sock'];
  if (env.XDG_RUNTIME_DIR) candidates.push(path.join(env.XDG_RUNTIME_DIR, 'docker.sock'));
  candidates.push(path.join(os.homedir(), '.docker', 'run', 'docker.sock'));
  return candidates.map((socketPath) => ({ kind: 'unix', socketPath }));
}

export function describeEndpoint(endpoint: DockerEndpoint): string {
  return endpoint.kind === 'unix' ? endpoint.socketPath : `tcp://${endpoint.host}:${endpoint.port}`;
}

/** One GET against the engine API; resolves with status and body, rejects on error or timeout. */
export function dockerGet(
  endpoint: DockerEndpoint,
  apiPath: string,
  timeoutMs = 800,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
    const req = http.request({ ...target, path: apiPath, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Finds an engine that answers `/_ping`, bounded by `timeoutMs` per endpoint so
 * a dead socket or a firewalled TCP host never hangs the boot.
 */
export async function findDockerEngine(
  env: NodeJS.ProcessEnv,
  timeoutMs = 800,
): Promise<{ endpoint: DockerEndpoint } | { reason: string }> {
  const endpoints = dockerEndpoints(env);
  if (endpoints.length === 0) return { reason: `no Docker engine (DOCKER_HOST=${env.DOCKER_HOST} is not unix:// or tcp://)` };
  const problems: string[] = [];
  for (const endpoint of endpoints) {
    if (endpoint.kind === 'unix' && !existsSync(endpoint.socketPath)) {
      problems.push(`${endpoint.socketPath} absent`);
      continue;
    }
    try {
      // A TLS engine needs client certificates to talk HTTP; a TCP connect is the cheap proof of life.
      if (endpoint.kind === 'tcp' && endpoint.tls) {
        await tcpConnect(endpoint, timeoutMs);
        return { endpoint };
      }
      const answer = await dockerGet(endpoint, '/_ping', timeoutMs);
      if (answer.status === 200) return { endpoint };
      problems.push(`${describeEndpoint(endpoint)} answered HTTP ${answer.status}`);
    } catch (err) {
      problems.push(`${describeEndpoint(endpoint)}: ${(err as Error).message}`);
    }
  }
  const primary = problems[0] ?? 'nothing to try';
  return { reason: `no Docker engine (${primary})` };
}

function tcpConnect(target: { host: string; port: number }, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port, timeout: timeoutMs });
    socket.on('connect', () => {
      socket.end();
      resolve();
    });
    socket.on('timeout', () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('error', reject);
  });
}

/** The chain probe for testcontainers. */
export async function probeDocker(env: NodeJS.ProcessEnv): Promise<Availability> {
  const found = await findDockerEngine(env);
  return 'endpoint' in found ? { ok: true } : { ok: false, reason: found.reason };
}

/**
 * True when `image` exists in the engine without registry digests, i.e. it was
 * built or imported locally and this machine may well have no registry access.
 */
export async function isLocalOnlyImage(endpoint: DockerEndpoint, image: string): Promise<boolean> {
  try {
    const answer = await dockerGet(endpoint, `/images/${encodeURIComponent(image)}/json`, 2000);
    if (answer.status !== 200) return false;
    const info = JSON.parse(answer.body) as { RepoDigests?: string[] };
    return (info.RepoDigests ?? []).length === 0;
  } catch {
    return false;
  }
}

/** True when `image` is present in the engine. */
export async function hasImage(endpoint: DockerEndpoint, image: string): Promise<boolean> {
  try {
    return (await dockerGet(endpoint, `/images/${encodeURIComponent(image)}/json`, 2000)).status === 200;
  } catch {
    return false;
  }
}
