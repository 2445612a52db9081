import { z } from 'zod';

export const ROUTE_ERRORS = [
  'target_unavailable',
  'target_quarantined',
  'timeout',
  'unknown_target',
  'routing_cycle_detected',
  'routing_depth_exceeded',
  'tool_error',
  'malformed_response',
] as const;
export const RouteError = z.enum(ROUTE_ERRORS);
export type RouteError = z.infer<typeof RouteError>;

/** The version the router speaks; a registry row with another version is routed with a warning. */
export const ROUTE_CONTRACT_VERSION = 'v1';

const RouteOk = z.object({
  ok: z.literal(true),
  result: z.unknown(),
  duration_ms: z.number().nonnegative(),
  client: z.enum(['cached', 'new']),
  route_contract_version: z.string().min(1),
});

const RouteFailed = z.object({
  ok: z.literal(false),
  error: RouteError,
  error_class: z.string().min(1),
  message: z.string(),
  duration_ms: z.number().nonnegative(),
});

/** Result of the switchboard's `route` (docs/ecosystem.md §8.5); extra keys are tolerated so receivers stay forward compatible. */
export const RouteResult = z.discriminatedUnion('ok', [RouteOk, RouteFailed]);
export type RouteResult = z.infer<typeof RouteResult>;
