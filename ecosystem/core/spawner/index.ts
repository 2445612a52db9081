export { spawnerExtension } from './extension.ts';
export { Spawner, type SpawnerDeps } from './spawner.ts';
export type { SpawnRequest, SpawnerService, SpawnerStatus } from './types.ts';
export type { TickResult, TickRun } from './tick.ts';
export type { TargetOutcome } from './heartbeat.ts';
