-- Cron tasks from [[schedule]] (source toml) or schedule_create (source runtime); docs/ecosystem.md §12.
CREATE TABLE scheduled_tasks (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name            TEXT UNIQUE NOT NULL,
  cron            TEXT NOT NULL,
  prompt          TEXT NOT NULL,
  enabled         BOOLEAN NOT NULL DEFAULT true,
  source          TEXT CHECK (source IN ('toml', 'runtime')),
  target_butler   TEXT NULL,
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'running', 'completed', 'error')),
  due_at          TIMESTAMPTZ NOT NULL,
  last_run_at     TIMESTAMPTZ,
  last_session_id UUID,
  last_error      TEXT,
  created_at      TIMESTAMPTZ DEFAULT now(),
  updated_at      TIMESTAMPTZ DEFAULT now()
);

-- The tick's "enabled and due" scan.
CREATE INDEX scheduled_tasks_due_idx ON scheduled_tasks (due_at) WHERE enabled;
