-- Long-term memories with local 256-dim embeddings (docs/ecosystem.md §4.3, §9).
-- The vector extension is created by an administrator, never by the butler's
-- role. Without it this migration creates nothing and the module's startup
-- hook reports failed/startup, so the butler still starts.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
    CREATE TABLE IF NOT EXISTS memories (
      id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      content    TEXT NOT NULL,
      kind       TEXT,
      tags       TEXT[] NOT NULL DEFAULT '{}',
      embedding  vector(256),
      session_id UUID NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS memories_created_at_idx ON memories (created_at DESC);
  END IF;
END
$$;
