-- One row per route call, whatever its outcome (docs/ecosystem.md §8.5 step 10).
CREATE TABLE routing_log (
  id                     UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  request_id             UUID NULL,
  subrequest_id          TEXT NULL,
  origin                 TEXT NOT NULL DEFAULT 'operator'
    CHECK (origin IN ('dispatch', 'heartbeat', 'operator')),
  target_butler          TEXT NOT NULL,
  tool_name              TEXT NOT NULL,
  status                 TEXT NOT NULL
    CHECK (status IN ('success', 'error', 'timeout', 'target_unavailable', 'target_quarantined')),
  error_class            TEXT NULL,
  error_message          TEXT NULL,
  client_reused          BOOLEAN NOT NULL DEFAULT false,
  preflight              BOOLEAN NOT NULL DEFAULT false,
  route_contract_version TEXT NULL,
  duration_ms            INTEGER NULL,
  trace_id               TEXT NULL,
  tag                    TEXT NULL,
  created_at             TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX routing_log_request_id_idx ON routing_log (request_id);
CREATE INDEX routing_log_created_at_idx ON routing_log (created_at);
