// The boot suite: cold (a fresh Node process per boot) and warm ecosystem
// boots. Figures are reported with percentiles; boot has no baseline (it is
// dominated by PostgreSQL's own start, which the floors do not model).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { bootEcosystem } from '../staging/ecosystem.ts';
import { ensureBuilt } from '../staging/build.ts';
import { summarize, MIN_SAMPLES, nearestRank } from './stats.ts';

function median(xs: number[]): number {
  return nearestRank(xs, 50);
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
export async function bootOnce(): Promise<BootSample> {
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
    ...(use.length >= MIN_SAMPLES ? { percentiles: summarize(use.map((s) => s.ms)) } : {}),
    samples: samples.map((s) => s.ms),
    phase_medians: { postgres_ready: median(use.map((s) => s.postgres)), switchboard_ready: median(use.map((s) => s.switchboard)) },
    ...(counted.length < samples.length ? { seed_builds: samples.filter((s) => s.seed === 'built').map((s) => s.ms), seed_builds_counted: counted.length === 0 } : {}),
  };
}

const describe = (s: BootSample) =>
  `${s.ms} ms (${s.provider}; PostgreSQL ready ${s.postgres} ms, switchboard ${s.switchboard} ms${s.seed === 'built' ? '; built the seed, not counted' : ''})`;

export async function benchBoot(runs: number): Promise<Record<string, unknown>> {
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
    machine: { cpus: os.cpus().length, node: process.version },
  };
  console.log(`\nboot (${provider}): cold median ${result.cold_ms.median} ms, warm median ${result.warm_ms.median} ms over ${runs} runs`);
  return result;
}
