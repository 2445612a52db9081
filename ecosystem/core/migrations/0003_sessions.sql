-- One row per LLM session, written twice: insert as running, then one completion update (CON-41).
CREATE TABLE sessions (
  session_id        UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  butler_name       TEXT NOT NULL,
  trigger_source    TEXT NOT NULL
                    CHECK (trigger_source IN ('external', 'heartbeat', 'scheduled', 'test')),
  kind              TEXT NOT NULL DEFAULT 'task'
                    CHECK (kind IN ('task', 'classification', 'synthesis')),
  prompt            TEXT NOT NULL,
  model             TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('running', 'completed', 'error')),
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at      TIMESTAMPTZ,
  duration_ms       INTEGER,
  lock_wait_ms      INTEGER,
  tool_calls        JSONB NOT NULL DEFAULT '[]',
  output            TEXT,
  input_tokens      INTEGER,
  output_tokens     INTEGER,
  api_requests      INTEGER,
  cost_usd          NUMERIC,
  trace_id          TEXT,
  error             TEXT,
  request_id        UUID NULL,
  subrequest_id     TEXT NULL,
  tag               TEXT NULL,
  scheduled_task_id UUID NULL REFERENCES scheduled_tasks (id) ON DELETE SET NULL,
  runtime_pid       INTEGER
);

CREATE INDEX sessions_tag_idx ON sessions (tag);
CREATE INDEX sessions_request_id_idx ON sessions (request_id);
CREATE INDEX sessions_created_at_idx ON sessions (created_at);
CREATE INDEX sessions_scheduled_task_id_idx ON sessions (scheduled_task_id);
-- Startup recovery looks for rows left running by a crash (docs/ecosystem.md §10.3).
CREATE INDEX sessions_running_idx ON sessions (butler_name) WHERE status = 'running';
