import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { ClassifyResult } from '../../contracts/classification.ts';
import { DispatchResult } from '../../contracts/fanout-plan.ts';
import { SessionRow } from '../../contracts/session-row.ts';
import { routerExtension } from '../../ecosystem/core/router/extension.ts';
import { overlayDir, settle, startButler, until, type TestDaemon } from '../../ecosystem/testing/router-kit.ts';
import { spawnerExtension } from '../../ecosystem/core/spawner/extension.ts';
import { startThrowawayCluster, type ThrowawayCluster } from '../../staging/testing/throwaway-cluster.ts';
import { startModelDouble, type ModelDoubleHandle } from '../../staging/model-double/index.ts';
import { testPort } from '../../staging/ports.ts';

// The whole pipeline with the real spawner and session runtime against the model double.
// Ports 8640-8649 (at the default E2E_PORT_BASE; testPort moves them) are this file's block.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const API_KEY = 'sk-ant-pipeline-e2e-0001';
const TRACE = '5bf92f3577b34da6a3ce929d0e0e4736';

let cluster: ThrowawayCluster;
let double: ModelDoubleHandle;
let dir: ReturnType<typeof overlayDir>;
let sb: TestDaemon;
const targets: TestDaemon[] = [];

test.beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-ecosystem.mjs')], { cwd: ROOT, stdio: 'pipe' });
  cluster = await startThrowawayCluster();
  double = await startModelDouble({ apiKey: API_KEY });
  dir = overlayDir();
  const env = { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: double.url };
  const common = { cluster, dir: dir.dir, env, overlay: '[scheduler]\nauto_tick = false\n' };
  sb = await startButler({ ...common, butler: 'switchboard', port: testPort(8640), dbName: 'e2e_switchboard', extensions: [routerExtension, spawnerExtension] });
  const url = `[switchboard]\nurl = "${sb.daemon.endpointUrl}"\n`;
  for (const [butler, port] of [['general', testPort(8641)], ['health', testPort(8642)], ['relationship', testPort(8643)]] as const) {
    targets.push(await startButler({ ...common, butler, port, dbName: `e2e_${butler}`, extensions: [spawnerExtension], overlay: `${common.overlay}${url}` }));
  }
  await until(async () => (await sb.db.query('SELECT count(*)::int AS n FROM butler_registry')).rows[0].n === 4, 20_000, 'all registered');
});

test.afterAll(async () => {
  for (const t of targets) await t.close();
  await sb?.close();
  await double?.close();
  await settle();
  await cluster?.stop();
  dir?.remove();
});

test('ingest → classify → dispatch → health session writes the row; every stage is recorded', async () => {
  const traceparent = `00-${TRACE}-00f067aa0ba902b7-01`;
  const envelope = {
    schema_version: 'ingest.v1',
    source: { channel: 'telegram', provider: 'telegram', endpoint_identity: 'bot_123', sender_identity: 'user_456' },
    payload: { content_type: 'text/plain', body: 'Log my weight: 80kg', sent_at: '2026-02-16T10:00:00Z' },
    idempotency_key: 'e2e-pipeline-1',
  };
  const ingest = await sb.call('ingest', { envelope }, { traceparent });
  expect(ingest.sc.duplicate).toBe(false);
  const requestId = ingest.sc.request_id as string;

  const cls = await sb.call('classify', { text: 'Log my weight: 80kg', request_id: requestId, tag: 'e2e-pipe' }, { traceparent });
  const classified = ClassifyResult.parse(cls.sc);
  expect(classified.fallback).toBe(false);
  expect(classified.entries.map((e) => e.butler)).toContain('health');
  const clsRow = SessionRow.parse((await sb.db.query('SELECT * FROM sessions WHERE session_id = $1', [classified.session_id])).rows[0]);
  expect(clsRow).toMatchObject({ kind: 'classification', trigger_source: 'external', status: 'completed', request_id: requestId, tag: 'e2e-pipe', trace_id: TRACE });
  const registry = JSON.parse(/<registry>\n([\s\S]*?)\n<\/registry>/.exec(clsRow.prompt)![1]) as Array<{ name: string }>;
  expect(registry.map((e) => e.name)).toEqual(['general', 'health', 'relationship']);
  expect((await double.control.requests({ session_id: classified.session_id! }))[0]).toMatchObject({ kind: 'classification', summary: expect.stringContaining('health') });

  const d = await sb.call('dispatch', { entries: classified.entries, request_id: requestId, tag: 'e2e-pipe' }, { traceparent });
  expect(d.isError).toBe(false);
  const result = DispatchResult.parse(d.sc);
  const out = result.outcomes.find((o) => o.butler === 'health')!;
  expect(out).toMatchObject({ status: 'success', error: null });
  expect(result.aggregate.text.length).toBeGreaterThan(0);

  const health = targets.find((t) => t.daemon.butler === 'health')!;
  const session = SessionRow.parse((await health.db.query('SELECT * FROM sessions WHERE session_id = $1', [out.session_id])).rows[0]);
  expect(session).toMatchObject({ trigger_source: 'external', status: 'completed', request_id: requestId, subrequest_id: 'sr-1', tag: 'e2e-pipe', trace_id: TRACE });
  const m = await health.db.query('SELECT type, value::float AS value FROM measurements WHERE session_id = $1', [out.session_id]);
  expect(m.rows).toEqual([expect.objectContaining({ value: 80 })]);

  const routed = (await sb.db.query(`SELECT * FROM routing_log WHERE request_id = $1 AND target_butler = 'health'`, [requestId])).rows;
  expect(routed).toEqual([expect.objectContaining({ status: 'success', origin: 'dispatch', tool_name: 'trigger', trace_id: TRACE })]);
  const fan = (await sb.db.query(`SELECT * FROM fanout_execution_log WHERE request_id = $1 AND butler = 'health'`, [requestId])).rows;
  expect(fan).toEqual([expect.objectContaining({ status: 'success', target_session_id: out.session_id })]);
  expect((await sb.db.query('SELECT status FROM message_inbox WHERE request_id = $1', [requestId])).rows[0].status).toBe('completed');
  expect(sb.lines.filter((l) => l.level >= 50)).toEqual([]);
});
