/**
 * `@butlers/framework`: what a butler's own code (`<roster>/<butler>/tools/*.ts`
 * and the files they import) may use of the ecosystem, under one stable name.
 *
 * A roster folder can live anywhere (E2E_ROSTER_DIR): its tools import this
 * name, never a relative path into the checkout. The daemon's tool bundler
 * (ecosystem/daemon/roster-tools.ts) resolves it to this file of the running
 * ecosystem and bundles it with the tools; TypeScript resolves it through the
 * `paths` of tsconfig.json (docs/extending.md shows the two lines for a roster
 * outside the checkout). The pipeline's data contracts are
 * `@butlers/framework/contracts`. Argument schemas (`text`, `day`, `rowId`,
 * `timestamp`) and row helpers (`plainRow`, `given`, `textOrNull`) are here so a
 * butler outside this repository does not copy them.
 */
export { defineTool, ToolError, type Audience, type ToolContext, type ToolDef } from './core/tool.ts';
export { withExamples, withFormat, type SchemaExtras } from './core/schema-extras.ts';
export { day, rowId, text, timestamp } from './core/tool-fields.ts';
export { given, plainRow, textOrNull } from './core/tool-rows.ts';
export { startSpan, withSpan, type Span, type SpanOptions } from './core/trace/span.ts';
export { meter } from './core/trace/telemetry.ts';
export { childTrace, traceIdOf, type OutgoingTrace } from './core/router/trace-context.ts';
export type { RouteOrigin, RouteOutcome, RouteRequest, Router } from './core/router/types.ts';
export type { SpawnRequest, SpawnerService, SpawnerStatus } from './core/spawner/types.ts';
