/** The switchboard router: cached MCP clients, eligibility, quarantine, route chain (docs/ecosystem.md §8.5). */
export { routerExtension, liftRouteFailure } from './extension.ts';
export { createRouter, type RouterOptions } from './router.ts';
export { ROUTE_CHAIN_META, readRouteChain, checkRouteChain } from './route-chain.ts';
export { childTrace, traceIdOf, type OutgoingTrace } from './trace-context.ts';
export type { Router, RouteRequest, RouteOutcome, RouteOrigin, RouterSettings, HealthCheckEntry, HealthCheckRequest } from './types.ts';
