// `npm run bench -- <suite>`: measured figures, written to a JSON file.
// Suites: boot (cold and warm ecosystem boot medians), pipeline (stage medians).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ClassifyResult, IngestAccepted } from '../contracts/index.ts';
import { bootEcosystem } from '../staging/ecosystem.ts';
import { ensureBuilt } from '../staging/build.ts';

const OUT_DIR = path.resolve(process.env.E2E_BENCH_DIR ?? '.tmp/bench');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface BootSample {
  ms: number;
  provider: string;
  /** 'built': this boot built the cluster seed (first boot after a clone or a migration change). */
  seed: string;
  /** When PostgreSQL was ready and when the switchboard was, ms from the boot's start. */
  postgres: number;
  switchboard: number;
}

/** One boot in this process; `--boot-once` prints it as `BOOT <json>` for the parent to read. */
async function bootOnce(): Promise<BootSample> {
  const eco = await bootEcosystem({ parallelIndex: 0 });
  const out = {
    ms: eco.bootMs,
    provider: eco.postgres.provider,
    seed: eco.postgres.seed ?? 'none',
    postgres: eco.bootPhases.postgres ?? 0,
    switchboard: eco.bootPhases.switchboard ?? 0,
  };
  if (eco.failed.length) throw new Error(`boot had failures: ${eco.failed.map((f) => f.butler).join(', ')}`);
  await eco.close();
  return out;
}

function summary(samples: BootSample[]) {
  // A boot that built the seed measures a one-off: reported, not part of the median.
  const counted = samples.filter((s) => s.seed !== 'built');
  const use = counted.length ? counted : samples;
  return {
    median: median(use.map((s) => s.ms)),
    samples: samples.map((s) => s.ms),
    phase_medians: { postgres_ready: median(use.map((s) => s.postgres)), switchboard_ready: median(use.map((s) => s.switchboard)) },
    ...(counted.length < samples.length ? { seed_builds: samples.filter((s) => s.seed === 'built').map((s) => s.ms), seed_builds_counted: counted.length === 0 } : {}),
  };
}

const describe = (s: BootSample) =>
  `${s.ms} ms (${s.provider}; PostgreSQL ready ${s.postgres} ms, switchboard ${s.switchboard} ms${s.seed === 'built' ? '; built the seed, not counted' : ''})`;

async function benchBoot(runs: number): Promise<void> {
  ensureBuilt((l) => console.log(l));
  const cold: BootSample[] = [];
  for (let i = 0; i < runs; i++) {
    // Cold: a fresh Node process each time, so nothing of a previous boot is loaded or cached in memory.
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--boot-once'], { encoding: 'utf8', env: process.env });
    const m = /^BOOT (\{.*\})$/m.exec(res.stdout);
    if (!m) throw new Error(`cold boot ${i + 1} failed:\n${res.stdout}\n${res.stderr}`);
    const sample = JSON.parse(m[1]) as BootSample;
    cold.push(sample);
    console.log(`cold boot ${i + 1}/${runs}: ${describe(sample)}`);
  }
  const warm: BootSample[] = [];
  await bootOnce(); // prime this process
  for (let i = 0; i < runs; i++) {
    const r = await bootOnce();
    warm.push(r);
    console.log(`warm boot ${i + 1}/${runs}: ${describe(r)}`);
  }
  const provider = cold[0]?.provider ?? '';
  const result = {
    suite: 'boot',
    at: new Date().toISOString(),
    provider,
    runs,
    cold_ms: summary(cold),
    warm_ms: summary(warm),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  };
  mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, 'boot.json');
  writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(`\nboot (${provider}): cold median ${result.cold_ms.median} ms, warm median ${result.warm_ms.median} ms over ${runs} runs`);
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}

async function timeIt(label: string, runs: number, fn: (i: number) => Promise<unknown>): Promise<{ median: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(Math.round((performance.now() - t) * 10) / 10);
  }
  const m = median(samples);
  console.log(`${label.padEnd(28)} median ${m.toFixed(1)} ms over ${runs} runs`);
  return { median: m, samples };
}

/** Medians of each pipeline stage against one booted ecosystem with the model double. */
async function benchPipeline(runs: number): Promise<void> {
  ensureBuilt((l) => console.log(l));
  const eco = await bootEcosystem({ parallelIndex: 0 });
  try {
    if (eco.failed.length) throw new Error(`boot had failures: ${eco.failed.map((f) => f.butler).join(', ')}`);
    const sb = await eco.butlers.switchboard.mcp();
    const health = await eco.butlers.health.mcp();
    const tag = `bench-${Date.now().toString(36)}`;
    const envelope = (i: number) => ({
      schema_version: 'ingest.v1',
      source: { channel: 'api', provider: 'internal', endpoint_identity: 'bench', sender_identity: 'bench' },
      payload: { content_type: 'text/plain', body: 'Log my weight: 80kg', sent_at: new Date().toISOString() },
      idempotency_key: `${tag}-${i}`,
    });
    const stages: Record<string, { median: number; samples: number[] }> = {};
    await sb.call('route', { target_butler: 'health', tool_name: 'status', args: {} }); // warm the cached client
    stages.direct_tool = await timeIt('direct tool (measurement_log)', runs, () =>
      health.call('measurement_log', { type: 'weight', value: 80, unit: 'kg', notes: tag }),
    );
    stages.ingest = await timeIt('ingest', runs, (i) => sb.call('ingest', { envelope: envelope(i) }));
    stages.classify = await timeIt('classify (one LLM session)', runs, () => sb.call('classify', { text: 'Log my weight: 80kg', tag }));
    stages.route_cached = await timeIt('route status, cached client', runs, () =>
      sb.call('route', { target_butler: 'health', tool_name: 'status', args: {}, tag }),
    );
    stages.route_new = await timeIt('route status, new client', runs, async () => {
      await sb.call('route_cache_clear', { target_butler: 'health' });
      await sb.call('route', { target_butler: 'health', tool_name: 'status', args: {}, tag });
    });
    stages.full_pipeline = await timeIt('full pipeline (offline)', runs, async (i) => {
      const accepted = await sb.call('ingest', { envelope: envelope(runs + i) }, IngestAccepted);
      const c = await sb.call('classify', { text: 'Log my weight: 80kg', request_id: accepted.request_id, tag }, ClassifyResult);
      await sb.call('dispatch', { entries: c.entries, request_id: accepted.request_id, tag });
    });
    const result = { suite: 'pipeline', at: new Date().toISOString(), runs, model: eco.model.mode, provider: eco.postgres.provider, medians_ms: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v.median])), stages };
    mkdirSync(OUT_DIR, { recursive: true });
    const file = path.join(OUT_DIR, 'pipeline.json');
    writeFileSync(file, JSON.stringify(result, null, 2));
    console.log(`\nroute cached/new ratio ${(stages.route_cached.median / stages.route_new.median).toFixed(2)}; written to ${path.relative(process.cwd(), file)}`);
  } finally {
    await eco.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--boot-once')) {
    console.log(`BOOT ${JSON.stringify(await bootOnce())}`);
    return;
  }
  const suite = args.find((a) => !a.startsWith('-')) ?? 'boot';
  const runs = Number(process.env.E2E_BENCH_RUNS ?? 5);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`E2E_BENCH_RUNS must be a positive integer, got ${process.env.E2E_BENCH_RUNS}`);
  switch (suite) {
    case 'boot':
      return benchBoot(runs);
    case 'pipeline':
      return benchPipeline(Number(process.env.E2E_BENCH_RUNS ?? 20));
    default:
      throw new Error(`unknown bench suite "${suite}"; valid suites: boot, pipeline`);
  }
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exit(1);
});
