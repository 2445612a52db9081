/**
 * The pipeline's data contracts (zod schemas + the pure functions that
 * enforce them), shared by the ecosystem and the harness.
 */
export * from './issues.ts';
export * from './ingest-envelope.ts';
export * from './dedupe-key.ts';
export * from './classification.ts';
export * from './parse-classification.ts';
export * from './fanout-plan.ts';
export * from './build-fanout-plan.ts';
export * from './route-result.ts';
export * from './spawner-result.ts';
export * from './session-row.ts';
export * from './scenario.ts';
