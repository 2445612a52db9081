import type { RouteError } from '../../../contracts/route-result.ts';

/** `_meta` key carrying the butlers a request has already been routed to, in order. */
export const ROUTE_CHAIN_META = 'butlers/route_chain';

/** The incoming chain; anything that is not a list of names counts as empty. */
export function readRouteChain(meta: Record<string, unknown> | undefined): string[] {
  const chain = meta?.[ROUTE_CHAIN_META];
  return Array.isArray(chain) ? chain.filter((b): b is string => typeof b === 'string') : [];
}

/**
 * Step 1 of a route: a target already in the chain is a cycle; a chain that
 * would grow beyond `maxDepth` hops with this one is too deep.
 */
export function checkRouteChain(
  chain: readonly string[],
  target: string,
  maxDepth: number,
): { error: Extract<RouteError, 'routing_cycle_detected' | 'routing_depth_exceeded'>; message: string } | null {
  if (chain.includes(target)) {
    return {
      error: 'routing_cycle_detected',
      message: `routing to ${target} would close a cycle: the request already passed ${[...chain, target].join(' -> ')}`,
    };
  }
  if (chain.length + 1 > maxDepth) {
    return {
      error: 'routing_depth_exceeded',
      message: `route chain ${[...chain, target].join(' -> ')} has ${chain.length + 1} hops; switchboard.max_route_depth allows ${maxDepth}`,
    };
  }
  return null;
}
