// The suites that run against one ecosystem (fresh, or held with E2E_REUSE=1):
// pipeline (per-call and per-session latencies, tokens, cost), throughput
// (sessions per minute under a queue, MCP calls per second under concurrency)
// and resources (RSS over many triggers, shutdown closes pools and clients).
import { readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { ClassifyResult, DispatchResult, IngestAccepted, SpawnerResult } from '../contracts/index.ts';
import type { Ecosystem } from '../staging/ecosystem.ts';
import type { McpHandle } from '../staging/mcp/client.ts';
import { createControlClient, type ModelDoubleControl } from '../staging/model-double/index.ts';
import type { Floors } from './floors.ts';
import { RSS_GROWTH_MAX_PCT, RSS_MAX_MB } from './metrics.ts';
import { round } from './stats.ts';

export interface Ctx {
  eco: Ecosystem;
  floors: Floors;
  tag: string;
  progress(line: string): void;
  /** Raw samples per metric (ms, tokens, usd, or one throughput figure). */
  samples: Record<string, number[]>;
  /** Per sample of a latency: the index of the floor sample taken just before it (local floor). */
  floorAt: Record<string, number[]>;
  /** Pass/fail checks that are not timings (resources, shutdown). */
  checks: Check[];
  /** Free-form details written to the results file. */
  details: Record<string, unknown>;
}

export interface Check {
  name: string;
  ok: boolean | null;
  detail: string;
  /** A limit of the issue (RSS): reported, and an exit condition only with E2E_BENCH_STRICT=1. */
  limit?: boolean;
}

const ms = (t: number) => round(performance.now() - t, 2);

function envelope(tag: string, key: string, body: string) {
  return {
    schema_version: 'ingest.v1',
    source: { channel: 'api', provider: 'internal', endpoint_identity: 'bench', sender_identity: 'bench' },
    payload: { content_type: 'text/plain', body, sent_at: new Date().toISOString() },
    idempotency_key: `${tag}-${key}`,
  };
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

// ---------------------------------------------------------------------------
// pipeline

export async function pipelineSuite(ctx: Ctx): Promise<void> {
  const { eco, floors, tag } = ctx;
  const sb = await eco.butlers.switchboard.mcp();
  const health = await eco.butlers.health.mcp();
  const cheapRuns = Math.max(10, positiveInt('E2E_BENCH_CALLS', 40));
  const pipelineRuns = Math.max(5, positiveInt('E2E_BENCH_PIPELINES', 10));

  // Warm every path once (JIT, the cached client, the pool).
  await sb.call('route', { target_butler: 'health', tool_name: 'status', args: {}, tag });
  await health.call('measurement_log', { type: 'weight', value: 80, unit: 'kg', notes: tag });
  await sb.call('ingest', { envelope: envelope(tag, 'warm', 'Log my weight: 80kg') });
  await floors.sampleMcp(3);
  floors.mcp.length = 0;

  const s = ctx.samples;
  const at = ctx.floorAt;
  for (const k of ['direct_tool', 'ingest', 'route_cached', 'route_new']) (s[k] = []), (at[k] = []);
  ctx.progress(`pipeline: ${cheapRuns} rounds of floor / direct tool / ingest / route cached / route new, interleaved`);
  for (let i = 0; i < cheapRuns; i++) {
    await floors.sampleMcp();
    for (const k of ['direct_tool', 'ingest', 'route_cached', 'route_new']) at[k].push(floors.mcp.length - 1);
    let t = performance.now();
    await health.call('measurement_log', { type: 'weight', value: 80, unit: 'kg', notes: tag });
    s.direct_tool.push(ms(t));
    t = performance.now();
    await sb.call('ingest', { envelope: envelope(tag, `i${i}`, 'Log my weight: 80kg') }, IngestAccepted);
    s.ingest.push(ms(t));
    t = performance.now();
    await sb.call('route', { target_butler: 'health', tool_name: 'status', args: {}, tag });
    s.route_cached.push(ms(t));
    await sb.call('route_cache_clear', { target_butler: 'health' });
    t = performance.now();
    await sb.call('route', { target_butler: 'health', tool_name: 'status', args: {}, tag });
    s.route_new.push(ms(t));
  }

  ctx.progress(`pipeline: 1 + ${pipelineRuns} full pipelines (ingest → classify → dispatch), a node -e floor before each`);
  for (const k of ['classification', 'pipeline_session', 'full_pipeline', 'tokens_per_classification', 'session_cost', 'session_spawn_to_first_request']) s[k] = [];
  for (const k of ['classification', 'pipeline_session', 'full_pipeline', 'session_spawn_to_first_request']) at[k] = [];
  const runs: { requestId: string; classificationSession: string | null; butlers: string[]; floor: number }[] = [];
  const pipeline = async (key: string, body: string) => {
    const t0 = performance.now();
    const accepted = await sb.call('ingest', { envelope: envelope(tag, key, body) }, IngestAccepted);
    const t1 = performance.now();
    const c = await sb.call('classify', { text: body, request_id: accepted.request_id, tag }, ClassifyResult, { timeoutMs: 200_000 });
    const t2 = performance.now();
    const d = await sb.call('dispatch', { entries: c.entries, request_id: accepted.request_id, tag }, DispatchResult, { timeoutMs: 200_000 });
    const t3 = performance.now();
    const failed = d.outcomes.filter((o) => o.status !== 'success');
    if (failed.length) throw new Error(`pipeline ${key} did not succeed: ${failed.map((o) => `${o.butler} ${o.status} ${o.error ?? ''}`).join('; ')}`);
    return { accepted, c, d, t0, t1, t2, t3 };
  };
  // The first pipeline after boot is cold: classify, dispatch and trigger run
  // for the first time in their daemons, and the first session process after a
  // build compiles the runtime bundle without a code cache. It is reported on
  // its own (first_pipeline), and full_pipeline is the steady state that follows.
  {
    await floors.sampleSpawn();
    const first = await pipeline('p-first', 'Log my weight: 69kg');
    s.first_pipeline = [round(first.t3 - first.t0, 2)];
    at.first_pipeline = [floors.spawn.length - 1];
    ctx.progress(`  first pipeline (cold, reported apart): ${round(first.t3 - first.t0, 0)} ms (classify ${round(first.t2 - first.t1, 0)}, dispatch ${round(first.t3 - first.t2, 0)})`);
  }
  for (let i = 0; i < pipelineRuns; i++) {
    await floors.sampleSpawn();
    const { accepted, c, d, t0, t1, t2, t3 } = await pipeline(`p${i}`, `Log my weight: ${70 + (i % 20)}kg`);
    const f = floors.spawn.length - 1;
    for (const k of ['classification', 'pipeline_session', 'full_pipeline']) at[k].push(f);
    s.classification.push(round(t2 - t1, 2));
    s.pipeline_session.push(round(t3 - t2, 2));
    s.full_pipeline.push(round(t3 - t0, 2));
    runs.push({ requestId: accepted.request_id, classificationSession: c.session_id, butlers: d.outcomes.map((o) => o.butler), floor: f });
    ctx.progress(`  pipeline ${i + 1}/${pipelineRuns}: ${round(t3 - t0, 0)} ms (classify ${round(t2 - t1, 0)}, dispatch ${round(t3 - t2, 0)})`);
  }

  // Evidence from the session rows (tokens, cost) and the model double's request log (first request per session).
  const control = doubleControl(eco);
  const firstRequest = new Map<string, number>();
  if (control) {
    for (const r of await control.requests({ tag })) {
      if (!r.session_id) continue;
      const t = Date.parse(r.time);
      if (!firstRequest.has(r.session_id) || t < firstRequest.get(r.session_id)!) firstRequest.set(r.session_id, t);
    }
  }
  for (const run of runs) {
    let cost = 0;
    for (const butler of new Set(['switchboard', ...run.butlers])) {
      const { rows } = await eco.admin(butler).query<{ session_id: string; created_at: Date; input_tokens: number | null; output_tokens: number | null; cost_usd: string | null }>(
        'select session_id, created_at, input_tokens, output_tokens, cost_usd from sessions where request_id = $1',
        [run.requestId],
      );
      for (const r of rows) {
        cost += Number(r.cost_usd ?? 0);
        if (butler === 'switchboard' && r.session_id === run.classificationSession) s.tokens_per_classification.push((r.input_tokens ?? 0) + (r.output_tokens ?? 0));
        const first = firstRequest.get(r.session_id);
        // created_at is written right after the spawn (spawner.ts: spawnRuntime, then insertSessionRow).
        if (first !== undefined) {
          s.session_spawn_to_first_request.push(first - r.created_at.getTime());
          at.session_spawn_to_first_request.push(run.floor);
        }
      }
    }
    s.session_cost.push(round(cost, 6));
  }
  if (!control) ctx.details.session_spawn_to_first_request = 'not measured: no model double control API (live mode)';
  if (s.session_spawn_to_first_request.length === 0) delete s.session_spawn_to_first_request;
}

function doubleControl(eco: Ecosystem): ModelDoubleControl | undefined {
  if (eco.double) return eco.double.control;
  if (eco.model.mode === 'double' && eco.model.baseUrl) return createControlClient(eco.model.baseUrl);
  return undefined;
}

// ---------------------------------------------------------------------------
// throughput

export async function throughputSuite(ctx: Ctx): Promise<void> {
  const { eco, floors, tag } = ctx;
  const health = await eco.butlers.health.mcp();
  const queue = 10;
  ctx.progress(`throughput: ${queue} triggers queued at once on health`);
  await floors.sampleSpawn(3);
  const t = performance.now();
  const results = await Promise.all(
    Array.from({ length: queue }, (_, i) =>
      health.call('trigger', { prompt: `Log weight ${60 + i}kg`, trigger_source: 'external', tag: `${tag}-q` }, SpawnerResult, { timeoutMs: 300_000 }),
    ),
  );
  const elapsed = performance.now() - t;
  await floors.sampleSpawn(3);
  const failed = results.filter((r) => !r.success);
  if (failed.length) throw new Error(`${failed.length} of ${queue} queued sessions failed: ${failed[0].error}`);
  ctx.samples.sessions_per_min_q10 = [round((queue / elapsed) * 60_000, 2)];
  ctx.details.sessions_q10 = { elapsed_ms: round(elapsed, 0), max_lock_wait_ms: Math.max(...results.map((r) => r.lock_wait_ms)) };
  ctx.progress(`  ${queue} sessions in ${round(elapsed, 0)} ms → ${ctx.samples.sessions_per_min_q10[0]} sessions/min`);

  const maxCalls = positiveInt('E2E_BENCH_MAX_CALLS', 2000);
  const maxMs = positiveInt('E2E_BENCH_MAX_MS', 10_000);
  for (const clients of [20, 100]) {
    const handles: McpHandle[] = [];
    try {
      for (let i = 0; i < clients; i++) handles.push(await eco.butlers.health.connect());
      await Promise.all(handles.map((h) => h.callTool('status', {})));
      await floors.sampleMcp(5);
      let issued = 0;
      let done = 0;
      let errors = 0;
      const start = performance.now();
      const deadline = start + maxMs;
      await Promise.all(
        handles.map(async (h) => {
          while (issued < maxCalls && performance.now() < deadline) {
            issued++;
            try {
              const out = await h.callTool('status', {}, { timeoutMs: 30_000 });
              if (out.isError) errors++;
              else done++;
            } catch {
              errors++;
            }
          }
        }),
      );
      const secs = (performance.now() - start) / 1000;
      await floors.sampleMcp(5);
      const rate = round(done / secs, 1);
      ctx.samples[`mcp_calls_per_s_c${clients}`] = [rate];
      ctx.details[`mcp_c${clients}`] = { calls: done, errors, seconds: round(secs, 2), bound: { calls: maxCalls, ms: maxMs } };
      ctx.progress(`throughput: ${clients} clients, ${done} status calls (${errors} errors) in ${round(secs, 2)} s → ${rate} calls/s`);
      if (errors) ctx.checks.push({ name: `mcp_c${clients}_errors`, ok: false, detail: `${errors} of ${done + errors} status calls failed under ${clients} clients` });
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  }
}

// ---------------------------------------------------------------------------
// resources

/** VmRSS of a process in kB, from /proc (Linux). */
function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

const PROMPTS: Record<string, (i: number) => string> = {
  health: (i) => `Log weight ${60 + (i % 40)}kg`,
  relationship: (i) => `Remember that Alex ${i % 2 ? 'likes tea' : 'has a birthday in May'}`,
};

export async function resourcesSuite(ctx: Ctx, defaultTriggers: number): Promise<void> {
  const { eco, tag } = ctx;
  if (process.platform !== 'linux') {
    ctx.checks.push({ name: 'rss', ok: null, detail: 'skipped: reads /proc/<pid>/status (Linux only)' });
    return;
  }
  const total = positiveInt('E2E_BENCH_TRIGGERS', defaultTriggers);
  const daemons = Object.values(eco.butlers).filter((b) => b.pid !== undefined);
  if (daemons.length === 0) {
    ctx.checks.push({ name: 'rss', ok: null, detail: 'skipped: no daemon pid known (held ecosystem without pids)' });
    return;
  }
  // Triggers go to every daemon that runs sessions (all but the switchboard, whose sessions are classifications).
  const targets = daemons.filter((b) => b.name !== 'switchboard');
  const per = Object.fromEntries(targets.map((b, k) => [b.name, Math.floor(total / targets.length) + (k < total % targets.length ? 1 : 0)]));
  const warmup = Object.fromEntries(targets.map((b) => [b.name, Math.max(1, Math.ceil(per[b.name] / 10))]));
  const clients = Object.fromEntries(await Promise.all(targets.map(async (b) => [b.name, await b.mcp()] as const)));
  let failures = 0;
  let finished = 0;
  const runRange = async (name: string, from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const r = await clients[name].call('trigger', { prompt: (PROMPTS[name] ?? ((n: number) => `Bench note ${n}: nothing to do`))(i), trigger_source: 'external', tag: `${tag}-r` }, SpawnerResult, { timeoutMs: 300_000 });
      if (!r.success) failures++;
      if (++finished % 20 === 0) ctx.progress(`  resources: ${finished}/${total} triggers`);
    }
  };
  ctx.progress(`resources: ${total} triggers across ${targets.map((b) => `${b.name} ${per[b.name]}`).join(', ')} (butlers in parallel); RSS after ${Object.values(warmup).reduce((a, b) => a + b, 0)} warm-up triggers and at the end`);
  await Promise.all(targets.map((b) => runRange(b.name, 0, warmup[b.name])));
  const pidsBefore = Object.fromEntries(daemons.map((b) => [b.name, b.pid!]));
  const warm = Object.fromEntries(daemons.map((b) => [b.name, rssKb(b.pid!)]));
  await Promise.all(targets.map((b) => runRange(b.name, warmup[b.name], per[b.name])));
  const end = Object.fromEntries(daemons.map((b) => [b.name, rssKb(b.pid!)]));
  const rows = daemons.map((b) => {
    const growth = round(((end[b.name] - warm[b.name]) / warm[b.name]) * 100, 1);
    return { butler: b.name, triggers: per[b.name] ?? 0, rss_warm_mb: round(warm[b.name] / 1024, 1), rss_end_mb: round(end[b.name] / 1024, 1), growth_pct: growth, same_pid: b.pid === pidsBefore[b.name] };
  });
  ctx.details.resources = { triggers: total, failures, daemons: rows };
  const over = rows.filter((r) => r.rss_end_mb > RSS_MAX_MB);
  const grew = rows.filter((r) => r.growth_pct > RSS_GROWTH_MAX_PCT);
  ctx.checks.push({ name: `rss ≤ ${RSS_MAX_MB} MB after ${total} triggers`, ok: over.length === 0, limit: true, detail: rows.map((r) => `${r.butler} ${r.rss_end_mb}`).join(', ') + ' MB' });
  ctx.checks.push({ name: `rss growth ≤ ${RSS_GROWTH_MAX_PCT} % after warm-up`, ok: grew.length === 0, limit: true, detail: rows.map((r) => `${r.butler} ${r.growth_pct > 0 ? '+' : ''}${r.growth_pct}%`).join(', ') });
  ctx.checks.push({ name: 'triggers succeeded', ok: failures === 0, detail: `${total - failures}/${total}` });
  ctx.checks.push({ name: 'daemons not restarted', ok: rows.every((r) => r.same_pid), detail: rows.filter((r) => !r.same_pid).map((r) => r.butler).join(', ') || 'same pids throughout' });
}

/** Stops every daemon and proves shutdown closed its pool and the switchboard's cached clients. */
export async function shutdownCheck(ctx: Ctx): Promise<void> {
  const { eco, tag } = ctx;
  if (eco.reused) {
    ctx.checks.push({ name: 'shutdown', ok: null, detail: 'skipped: the held ecosystem (E2E_REUSE=1) is not ours to stop' });
    return;
  }
  const sb = await eco.butlers.switchboard.mcp();
  const targets = eco.roster.filter((r) => r.routable && eco.butlers[r.name]?.pid !== undefined).map((r) => r.name);
  for (const t of targets) await sb.call('route', { target_butler: t, tool_name: 'status', args: {}, tag });
  const cached = ((await sb.call('status', {})) as { router: { cached_clients: number } }).router.cached_clients;
  const logOffset = statSync(eco.logFile).size;
  ctx.progress(`shutdown: stopping ${Object.keys(eco.butlers).length} daemons (switchboard caches ${cached} clients)`);
  const names = Object.keys(eco.butlers).filter((n) => eco.butlers[n].pid !== undefined);
  for (const n of names) await eco.butlers[n].stop();
  // The shutdown line reaches the run log through the supervisor's stream; poll briefly.
  let line: Record<string, unknown> | undefined;
  for (let i = 0; i < 50 && !line; i++) {
    line = readFrom(eco.logFile, logOffset)
      .map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return {}; } })
      .find((l) => l.butler === 'switchboard' && l.event === 'butler.shutdown');
    if (!line) await new Promise((r) => setTimeout(r, 100));
  }
  ctx.checks.push({
    name: 'shutdown closes the cached clients',
    ok: line !== undefined && line.clients_closed === cached,
    detail: line ? `butler.shutdown clients_closed ${String(line.clients_closed)}, status.router.cached_clients ${cached}` : 'no butler.shutdown line of the switchboard in the run log',
  });
  const open: string[] = [];
  for (const n of names) {
    const b = eco.butlers[n];
    let count = -1;
    for (let i = 0; i < 50; i++) {
      const { rows } = await eco.admin(n).query<{ n: number }>('select count(*)::int as n from pg_stat_activity where usename = $1', [b.role]);
      count = rows[0].n;
      if (count === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (count !== 0) open.push(`${n} ${count}`);
  }
  ctx.checks.push({ name: 'shutdown closes every pool', ok: open.length === 0, detail: open.length ? `connections left: ${open.join(', ')}` : `0 connections of ${names.length} roles in pg_stat_activity` });
}

function readFrom(file: string, offset: number): string[] {
  const size = statSync(file).size;
  if (size <= offset) return [];
  const buf = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, offset);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8').split('\n');
}
