CREATE TABLE appliances (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name            TEXT NOT NULL,
  brand           TEXT NULL,
  model           TEXT NULL,
  room            TEXT NULL,
  purchased_on    DATE NULL,
  price           NUMERIC NULL CHECK (price >= 0),
  currency        TEXT NULL,
  warranty_until  DATE NULL,
  notes           TEXT NULL,
  session_id      UUID NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX appliances_lower_name_idx ON appliances (lower(name));
CREATE INDEX appliances_session_id_idx ON appliances (session_id);
