-- Everything done to a plant or an area: watering (with litres) and the
-- other kinds of care (with the product used and its amount).
CREATE TABLE care_events (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  kind        TEXT NOT NULL CHECK (kind IN ('watering', 'fertilising', 'pruning', 'weeding', 'pest_control', 'repotting', 'mulching', 'other')),
  plant       TEXT NOT NULL,
  litres      NUMERIC NULL CHECK (litres >= 0),
  product     TEXT NULL,
  amount      NUMERIC NULL,
  unit        TEXT NULL,
  done_on     DATE NOT NULL DEFAULT current_date,
  notes       TEXT NULL,
  session_id  UUID NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX care_events_kind_done_on_idx ON care_events (kind, done_on);
CREATE INDEX care_events_session_id_idx ON care_events (session_id);
