CREATE TABLE meter_readings (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  utility     TEXT NOT NULL CHECK (utility IN ('electricity', 'gas', 'water', 'heating_oil')),
  reading     NUMERIC NOT NULL CHECK (reading >= 0),
  unit        TEXT NULL,
  read_on     DATE NOT NULL DEFAULT current_date,
  notes       TEXT NULL,
  session_id  UUID NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX meter_readings_utility_read_on_idx ON meter_readings (utility, read_on);
CREATE INDEX meter_readings_session_id_idx ON meter_readings (session_id);
