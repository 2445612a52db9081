-- Core key-value store (docs/ecosystem.md §4.1).
-- value is NOT NULL on purpose: a JSON null is stored as the JSONB value 'null'.
CREATE TABLE state (
  key        TEXT PRIMARY KEY,
  value      JSONB NOT NULL,
  created_at TIMESTAMPTZ DEFAULT now(),
  updated_at TIMESTAMPTZ DEFAULT now()
);
