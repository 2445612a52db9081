import type pg from 'pg';
import { SpawnerResult } from '../../contracts/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

export interface ApprovalRow {
  id: string;
  tool_name: string;
  tool_args: Record<string, unknown>;
  session_id: string | null;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  requested_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  reason: string | null;
  executed_at: Date | null;
}

/** Approvals of one test: its session carries the tag, or its arguments contain it. */
export async function approvalsOf(db: pg.Pool, tag: string): Promise<ApprovalRow[]> {
  const { rows } = await db.query<ApprovalRow>(
    `select a.* from approvals a left join sessions s on s.session_id = a.session_id
      where s.tag = $1 or strpos(a.tool_args::text, $1) > 0 order by a.requested_at`,
    [tag],
  );
  return rows;
}

/** Polls until the test has a pending approval; the deadline only guards against a hang. */
export async function pendingApproval(db: pg.Pool, tag: string, timeoutMs = 60_000): Promise<ApprovalRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = (await approvalsOf(db, tag)).find((a) => a.status === 'pending');
    if (pending) return pending;
    if (Date.now() > deadline) throw new Error(`no pending approval for ${tag} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function insertContact(db: pg.Pool, name: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>('insert into contacts (name) values ($1) returning id', [name]);
  return rows[0].id;
}

/** A tagged contact in relationship's database, and the prompt that asks a session to delete it (quoted, so it is passed verbatim). */
export async function contactToDelete(db: pg.Pool, tag: string): Promise<{ id: string; name: string; prompt: string }> {
  const name = `Test Contact ${tag}`;
  return { id: await insertContact(db, name), name, prompt: `Delete the contact named '${name}'` };
}

export async function contactExists(db: pg.Pool, id: string): Promise<boolean> {
  return ((await db.query('select 1 from contacts where id = $1', [id])).rowCount ?? 0) > 0;
}

/** A `trigger` with the test's tag, parsed by its contract. */
export function trigger(client: McpHandle, prompt: string, tag: string, extra: Record<string, unknown> = {}) {
  return client.call('trigger', { prompt, trigger_source: 'test', tag, ...extra }, SpawnerResult, { timeoutMs: 110_000 });
}
