CREATE TABLE harvests (
  id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  crop          TEXT NOT NULL,
  quantity      NUMERIC NOT NULL CHECK (quantity >= 0),
  unit          TEXT NOT NULL,
  harvested_on  DATE NOT NULL DEFAULT current_date,
  notes         TEXT NULL,
  session_id    UUID NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX harvests_lower_crop_idx ON harvests (lower(crop));
CREATE INDEX harvests_session_id_idx ON harvests (session_id);
