CREATE TABLE interactions (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  contact_id  UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  kind        TEXT NOT NULL DEFAULT 'other'
    CHECK (kind IN ('call', 'meeting', 'message', 'gift', 'other')),
  summary     TEXT NULL,
  occurred_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  session_id  UUID NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX interactions_contact_id_idx ON interactions (contact_id);
CREATE INDEX interactions_session_id_idx ON interactions (session_id);

CREATE TABLE reminders (
  id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  contact_id UUID NULL REFERENCES contacts (id) ON DELETE CASCADE,
  message    TEXT NOT NULL,
  due_at     TIMESTAMPTZ NOT NULL,
  status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled')),
  session_id UUID NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX reminders_due_at_idx ON reminders (due_at) WHERE status = 'pending';
CREATE INDEX reminders_session_id_idx ON reminders (session_id);
