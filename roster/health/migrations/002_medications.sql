CREATE TABLE medications (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name        TEXT NOT NULL,
  dosage      TEXT NULL,
  frequency   TEXT NULL,
  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'stopped')),
  started_at  TIMESTAMPTZ NULL DEFAULT now(),
  stopped_at  TIMESTAMPTZ NULL,
  stop_reason TEXT NULL,
  notes       TEXT NULL,
  session_id  UUID NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX medications_lower_name_idx ON medications (lower(name));
CREATE INDEX medications_session_id_idx ON medications (session_id);
