export { describeMode, startFaultProxy } from './fault-proxy.ts';
export type { FaultMode, FaultModeInput, FaultProxy, FaultProxyOptions, FaultProxyStats, LatencyDirection } from './fault-proxy.ts';
