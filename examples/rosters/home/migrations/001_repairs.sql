-- Work done on the home: repairs, servicing, installations, replacements
-- and inspections, with who did it and what it cost.
CREATE TABLE repairs (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  item        TEXT NOT NULL,
  kind        TEXT NOT NULL DEFAULT 'repair' CHECK (kind IN ('repair', 'service', 'installation', 'replacement', 'inspection')),
  contractor  TEXT NULL,
  cost        NUMERIC NULL CHECK (cost >= 0),
  currency    TEXT NULL,
  room        TEXT NULL,
  done_on     DATE NOT NULL DEFAULT current_date,
  notes       TEXT NULL,
  session_id  UUID NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX repairs_lower_item_idx ON repairs (lower(item));
CREATE INDEX repairs_session_id_idx ON repairs (session_id);
