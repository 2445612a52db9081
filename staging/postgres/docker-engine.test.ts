import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { dockerEndpoints, findDockerEngine } from './docker-engine.ts';

let dir: string;
test.beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'docker-probe-'));
});
test.afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('INF-01 docker probe: a missing socket is a one-line reason', async () => {
  const socketPath = path.join(dir, 'absent.sock');
  const found = await findDockerEngine({ DOCKER_HOST: `unix://${socketPath}` });
  expect(found).toEqual({ reason: `no Docker engine (${socketPath} absent)` });
});

test('INF-01 docker probe: a socket that accepts but never answers gives up within a second', async () => {
  const socketPath = path.join(dir, 'silent.sock');
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  try {
    const began = Date.now();
    const found = await findDockerEngine({ DOCKER_HOST: `unix://${socketPath}` }, 300);
    expect(Date.now() - began).toBeLessThan(1000);
    expect(found).toEqual({ reason: `no Docker engine (${socketPath}: no answer within 300 ms)` });
  } finally {
    sockets.forEach((s) => s.destroy());
    server.close();
  }
});

test('INF-01 docker probe: an engine answering /_ping is found', async () => {
  const socketPath = path.join(dir, 'engine.sock');
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    res.end('OK');
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  try {
    const found = await findDockerEngine({ DOCKER_HOST: `unix://${socketPath}` });
    expect(found).toEqual({ endpoint: { kind: 'unix', socketPath } });
    expect(paths).toEqual(['/_ping']);
  } finally {
    server.close();
  }
});

test('INF-01 docker endpoints follow DOCKER_HOST, else the default and rootless sockets', () => {
  expect(dockerEndpoints({ DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toEqual([{ kind: 'tcp', host: '10.0.0.5', port: 2375, tls: false }]);
  expect(dockerEndpoints({ DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1' })).toEqual([{ kind: 'tcp', host: 'docker', port: 2376, tls: true }]);
  expect(dockerEndpoints({ DOCKER_HOST: 'ssh://me@host' })).toEqual([]);
  const defaults = dockerEndpoints({ XDG_RUNTIME_DIR: '/run/user/1000' });
  expect(defaults.slice(0, 2)).toEqual([
    { kind: 'unix', socketPath: '/var/run/docker.sock' },
    { kind: 'unix', socketPath: '/run/user/1000/docker.sock' },
  ]);
});
