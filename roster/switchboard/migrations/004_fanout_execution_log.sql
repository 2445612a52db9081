-- One row per subrequest of a dispatch plan: inserted pending when the plan is
-- accepted, updated as it runs (docs/ecosystem.md §4.2, §8.3).
CREATE TABLE fanout_execution_log (
  id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  dispatch_id       UUID NOT NULL,
  request_id        UUID NULL,
  subrequest_id     TEXT NOT NULL,
  segment_id        TEXT NOT NULL,
  butler            TEXT NOT NULL,
  mode              TEXT NOT NULL CHECK (mode IN ('parallel', 'ordered', 'conditional')),
  join_policy       TEXT NOT NULL CHECK (join_policy IN ('wait_for_all', 'first_success')),
  abort_policy      TEXT NOT NULL
    CHECK (abort_policy IN ('continue', 'on_required_failure', 'on_any_failure')),
  required          BOOLEAN NOT NULL DEFAULT true,
  depends_on        TEXT[] NOT NULL DEFAULT '{}',
  run_if            TEXT NOT NULL DEFAULT 'success' CHECK (run_if IN ('success', 'completed', 'always')),
  status            TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'success', 'error', 'timeout',
                      'target_unavailable', 'target_quarantined', 'cancelled', 'skipped')),
  error_class       TEXT NULL,
  error_message     TEXT NULL,
  target_session_id UUID NULL,
  started_at        TIMESTAMPTZ NULL,
  finished_at       TIMESTAMPTZ NULL,
  duration_ms       INTEGER NULL,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (dispatch_id, subrequest_id)
);

CREATE INDEX fanout_execution_log_request_id_idx ON fanout_execution_log (request_id);
