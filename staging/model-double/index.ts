// Public surface of the model double.
export { startModelDouble, type ModelDoubleHandle, type ModelDoubleOptions } from './server.ts';
export { createControlClient } from './control-client.ts';
export type { ModelDoubleControl } from './control.ts';
export type { FaultAction, FaultMatch, FaultSpec } from './faults.ts';
export type { ModelDoubleLogger } from './messages-endpoint.ts';
export type { RequestLogDetail, RequestLogEntry, RequestLogFilter } from './types.ts';
export { classify, type ClassificationEntry } from './classify.ts';
export { decide } from './policy.ts';
