-- Held calls of gated tools and their decisions (docs/ecosystem.md §14). tool_args stay
-- unredacted: the approver must see exactly what will run.
CREATE TABLE approvals (
  id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tool_name    TEXT NOT NULL,
  tool_args    JSONB NOT NULL,
  session_id   UUID REFERENCES sessions (session_id),
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
  requested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  decided_at   TIMESTAMPTZ,
  decided_by   TEXT,
  reason       TEXT,
  executed_at  TIMESTAMPTZ
);

CREATE INDEX approvals_status_idx ON approvals (status, requested_at);
CREATE INDEX approvals_session_id_idx ON approvals (session_id);
