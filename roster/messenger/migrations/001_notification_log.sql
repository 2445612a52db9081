-- Outbound notifications. Rows stay queued until a delivery module with
-- credentials (telegram, email) marks them sent or failed.
CREATE TABLE notification_log (
  id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  request_id UUID NULL,
  channel    TEXT NOT NULL CHECK (channel IN ('telegram', 'email')),
  recipient  TEXT NULL,
  subject    TEXT NULL,
  body       TEXT NOT NULL,
  status     TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  error      TEXT NULL,
  sent_at    TIMESTAMPTZ NULL,
  session_id UUID NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX notification_log_queued_idx ON notification_log (created_at) WHERE status = 'queued';
CREATE INDEX notification_log_request_id_idx ON notification_log (request_id);
CREATE INDEX notification_log_session_id_idx ON notification_log (session_id);
