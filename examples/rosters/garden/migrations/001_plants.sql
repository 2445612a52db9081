-- The plants in the owner's garden: one row per planting.
CREATE TABLE plants (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name        TEXT NOT NULL,
  variety     TEXT NULL,
  location    TEXT NULL,
  quantity    INTEGER NULL CHECK (quantity > 0),
  planted_on  DATE NOT NULL DEFAULT current_date,
  notes       TEXT NULL,
  session_id  UUID NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX plants_lower_name_idx ON plants (lower(name));
CREATE INDEX plants_session_id_idx ON plants (session_id);
