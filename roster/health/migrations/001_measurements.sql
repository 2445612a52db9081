-- Body measurements: one number per row (blood pressure keeps the full
-- reading in notes when a single value is logged).
CREATE TABLE measurements (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  type        TEXT NOT NULL,
  value       NUMERIC NOT NULL,
  unit        TEXT NULL,
  notes       TEXT NULL,
  measured_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  session_id  UUID NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX measurements_type_measured_at_idx ON measurements (type, measured_at);
CREATE INDEX measurements_session_id_idx ON measurements (session_id);
