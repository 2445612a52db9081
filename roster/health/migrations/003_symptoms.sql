CREATE TABLE symptoms (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name        TEXT NOT NULL,
  severity    INTEGER NULL CHECK (severity BETWEEN 1 AND 10),
  notes       TEXT NULL,
  occurred_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  session_id  UUID NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX symptoms_session_id_idx ON symptoms (session_id);
