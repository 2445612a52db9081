-- People the owner knows; name is the only required column.
CREATE TABLE contacts (
  id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name       TEXT NOT NULL,
  email      TEXT NULL,
  phone      TEXT NULL,
  birthday   DATE NULL,
  notes      TEXT NULL,
  session_id UUID NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Name lookups (contact_delete, interaction_log) are case-insensitive.
CREATE INDEX contacts_lower_name_idx ON contacts (lower(name));
CREATE INDEX contacts_session_id_idx ON contacts (session_id);
