-- Every accepted ingest envelope (docs/ecosystem.md §8.1); the unique dedupe_key makes
-- a repeated delivery a conflict-do-nothing insert.
CREATE TABLE message_inbox (
  request_id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  dedupe_key               TEXT NOT NULL UNIQUE,
  schema_version           TEXT NOT NULL,
  source_channel           TEXT NOT NULL,
  source_provider          TEXT NOT NULL,
  endpoint_identity        TEXT NOT NULL,
  sender_identity          TEXT NOT NULL,
  content_type             TEXT NOT NULL,
  body                     TEXT NOT NULL,
  sent_at                  TIMESTAMPTZ NOT NULL,
  idempotency_key          TEXT NULL,
  thread_target            JSONB NULL,
  notification_preferences JSONB NULL,
  routing_hints            JSONB NULL,
  metadata                 JSONB NULL,
  status                   TEXT NOT NULL DEFAULT 'accepted'
    CHECK (status IN ('accepted', 'classified', 'dispatched', 'completed', 'failed')),
  trace_id                 TEXT NULL,
  received_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at               TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX message_inbox_received_at_idx ON message_inbox (received_at);
