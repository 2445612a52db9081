-- One row per butler that registered (docs/ecosystem.md §8.6). A new entry is
-- active; quarantine is driven by consecutive route failures.
CREATE TABLE butler_registry (
  name                   TEXT PRIMARY KEY,
  endpoint_url           TEXT NOT NULL,
  description            TEXT NULL,
  capabilities           JSONB NOT NULL DEFAULT '[]',
  tools                  JSONB NOT NULL DEFAULT '[]',
  routable               BOOLEAN NOT NULL DEFAULT true,
  route_contract_version TEXT NOT NULL DEFAULT 'v1',
  eligibility_state      TEXT NOT NULL DEFAULT 'active'
    CHECK (eligibility_state IN ('active', 'quarantined')),
  consecutive_failures   INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
  quarantined_at         TIMESTAMPTZ NULL,
  quarantine_reason      TEXT NULL,
  last_seen_at           TIMESTAMPTZ NULL,
  registered_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at             TIMESTAMPTZ NOT NULL DEFAULT now()
);
