import { expect, test } from '../../testing/tool-context.ts';

/** docs/ecosystem.md §4.1, column → data_type as information_schema reports it. */
const EXPECTED: Record<string, Record<string, string>> = {
  state: { key: 'text', value: 'jsonb', created_at: 'timestamp with time zone', updated_at: 'timestamp with time zone' },
  scheduled_tasks: {
    id: 'uuid', name: 'text', cron: 'text', prompt: 'text', enabled: 'boolean', source: 'text', target_butler: 'text',
    status: 'text', due_at: 'timestamp with time zone', last_run_at: 'timestamp with time zone', last_session_id: 'uuid',
    last_error: 'text', created_at: 'timestamp with time zone', updated_at: 'timestamp with time zone',
  },
  sessions: {
    session_id: 'uuid', butler_name: 'text', trigger_source: 'text', kind: 'text', prompt: 'text', model: 'text', status: 'text',
    created_at: 'timestamp with time zone', completed_at: 'timestamp with time zone', duration_ms: 'integer', lock_wait_ms: 'integer',
    tool_calls: 'jsonb', output: 'text', input_tokens: 'integer', output_tokens: 'integer', api_requests: 'integer',
    cost_usd: 'numeric', trace_id: 'text', error: 'text', request_id: 'uuid', subrequest_id: 'text', tag: 'text',
    scheduled_task_id: 'uuid', runtime_pid: 'integer', cache_creation_input_tokens: 'integer', cache_read_input_tokens: 'integer',
  },
  approvals: {
    id: 'uuid', tool_name: 'text', tool_args: 'jsonb', session_id: 'uuid', status: 'text', requested_at: 'timestamp with time zone',
    decided_at: 'timestamp with time zone', decided_by: 'text', reason: 'text', executed_at: 'timestamp with time zone',
  },
};

test('core tables have exactly the specified columns and types', async ({ db }) => {
  const { rows } = await db.query(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = ANY($1)`,
    [Object.keys(EXPECTED)],
  );
  const actual: Record<string, Record<string, string>> = {};
  for (const r of rows) (actual[r.table_name] ??= {})[r.column_name] = r.data_type;
  expect(actual).toEqual(EXPECTED);
});

test('enum CHECKs, defaults and NOT NULLs hold', async ({ db }) => {
  const bad = [
    `INSERT INTO sessions (butler_name, trigger_source, prompt, model, status) VALUES ('h', 'test-1', 'p', 'm', 'running')`,
    `INSERT INTO sessions (butler_name, trigger_source, kind, prompt, model, status) VALUES ('h', 'test', 'chat', 'p', 'm', 'running')`,
    `INSERT INTO sessions (butler_name, trigger_source, prompt, model, status) VALUES ('h', 'test', 'p', 'm', 'done')`,
    `INSERT INTO scheduled_tasks (name, cron, prompt, source, due_at) VALUES ('n', 'c', 'p', 'yaml', now())`,
    `INSERT INTO scheduled_tasks (name, cron, prompt, due_at, status) VALUES ('n', 'c', 'p', now(), 'done')`,
    `INSERT INTO scheduled_tasks (name, cron, prompt) VALUES ('n', 'c', 'p')`,
    `INSERT INTO approvals (tool_name, tool_args, status) VALUES ('t', '{}', 'maybe')`,
    `INSERT INTO approvals (tool_name, tool_args, session_id, status) VALUES ('t', '{}', gen_random_uuid(), 'pending')`,
    `INSERT INTO state (key, value) VALUES ('k', NULL)`,
  ];
  for (const sql of bad) await expect(db.query(sql), sql).rejects.toThrow();
  const { rows } = await db.query(
    `INSERT INTO sessions (butler_name, trigger_source, prompt, model, status) VALUES ('h', 'test', 'p', 'm', 'running')
     RETURNING kind, tool_calls, created_at`,
  );
  expect(rows[0]).toMatchObject({ kind: 'task', tool_calls: [] });
  const task = await db.query(`INSERT INTO scheduled_tasks (name, cron, prompt, due_at) VALUES ('n', 'c', 'p', now()) RETURNING enabled, status, id`);
  expect(task.rows[0]).toMatchObject({ enabled: true, status: 'pending' });
  expect(task.rows[0].id).toMatch(/^[0-9a-f-]{36}$/);
});
