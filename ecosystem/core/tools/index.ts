import type { ToolDef } from '../tool.ts';
import { approvalTools } from './approval-tools.ts';
import { scheduleTools } from './schedule-tools.ts';
import { sessionStatsTools } from './session-stats.ts';
import { sessionTools } from './session-tools.ts';
import { stateTools } from './state-tools.ts';

/** Core tools of every butler (docs/ecosystem.md §6) except status, trigger and tick, which the daemon owns. */
export const coreTools: ToolDef[] = [
  ...stateTools,
  ...scheduleTools,
  ...sessionTools,
  ...sessionStatsTools,
  ...approvalTools,
];

export { syncSchedules, type TomlSchedule, type SyncResult } from './schedule-sync.ts';
export { recoverInterruptedSessions } from './recover.ts';
export { gateTools, type GateOptions } from './gate.ts';
export {
  DEFAULT_GATE_TIMEOUT_S,
  isTrivial,
  mustGate,
  redactArgs,
  type GateConfig,
  type GateMode,
  type GatedTool,
  type ToolApprovalMode,
} from './gate-policy.ts';
export { nextCronOccurrence, cronProblem } from './cron.ts';
export { listTasks } from './schedule-tools.ts';
