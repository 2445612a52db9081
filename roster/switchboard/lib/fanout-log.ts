import type { Pool } from 'pg';
import type { FanoutPlan } from '@butlers/framework/contracts';
import type { Finished } from './fanout-executor.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `fanout_execution_log` writes of one dispatch: one row per subrequest, pending first, updated as it runs. */
export function fanoutLog(db: Pool, dispatchId: string, requestId: string | null) {
  return {
    async insertPlan(plan: FanoutPlan): Promise<void> {
      const values: unknown[] = [];
      const rows = plan.subrequests.map((s) => {
        const at = values.length;
        values.push(dispatchId, requestId, s.subrequest_id, s.segment_id, s.butler, plan.mode, plan.join_policy, plan.abort_policy, s.required, s.depends_on, s.run_if);
        return `(${Array.from({ length: 11 }, (_, i) => `$${at + i + 1}`).join(', ')}, 'pending')`;
      });
      await db.query(
        `INSERT INTO fanout_execution_log (dispatch_id, request_id, subrequest_id, segment_id, butler, mode, join_policy, abort_policy,
                                           required, depends_on, run_if, status)
         VALUES ${rows.join(', ')}`,
        values,
      );
    },

    async running(subrequestId: string, at: Date): Promise<void> {
      await db.query(
        `UPDATE fanout_execution_log SET status = 'running', started_at = $3 WHERE dispatch_id = $1 AND subrequest_id = $2`,
        [dispatchId, subrequestId, at],
      );
    },

    async finished(f: Finished): Promise<void> {
      await db.query(
        `UPDATE fanout_execution_log
            SET status = $3, error_class = $4, error_message = $5, target_session_id = $6, finished_at = $7, duration_ms = $8
          WHERE dispatch_id = $1 AND subrequest_id = $2`,
        [
          dispatchId, f.subrequest_id, f.status, f.status === 'success' ? null : (f.error_class ?? f.error ?? 'error'),
          f.status === 'success' ? null : (f.error_message ?? f.error ?? null),
          f.session_id && UUID.test(f.session_id) ? f.session_id : null, f.finished_at, Math.round(f.duration_ms),
        ],
      );
    },

    async settled(subrequestId: string, status: 'skipped' | 'cancelled', reason: string): Promise<void> {
      await db.query(
        `UPDATE fanout_execution_log SET status = $3, error_message = $4, finished_at = now() WHERE dispatch_id = $1 AND subrequest_id = $2`,
        [dispatchId, subrequestId, status, reason],
      );
    },
  };
}
