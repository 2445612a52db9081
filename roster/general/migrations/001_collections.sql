-- Free-form collections (shopping list, books to read …) and their entries.
CREATE TABLE collections (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name        TEXT NOT NULL UNIQUE CHECK (btrim(name) <> ''),
  description TEXT NULL,
  session_id  UUID NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE entities (
  id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  collection_id UUID NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  title         TEXT NOT NULL,
  data          JSONB NOT NULL DEFAULT '{}',
  tags          TEXT[] NOT NULL DEFAULT '{}',
  session_id    UUID NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX entities_collection_id_idx ON entities (collection_id);
CREATE INDEX entities_tags_idx ON entities USING GIN (tags);
CREATE INDEX entities_session_id_idx ON entities (session_id);
