-- Developers' API keys for the generation API: "cfk_<key_id>_<secret>";
-- only the secret's SHA-256 is kept, so a leaked table grants nothing. A
-- job created with a key records it, for the key's own daily quota.
SET LOCAL ROLE cf_generation;

CREATE TABLE generation.api_keys (
  key_id        uuid        PRIMARY KEY,
  user_id       uuid        NOT NULL,
  name          text        NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  secret_sha256 bytea       NOT NULL CHECK (length(secret_sha256) = 32),
  daily_seconds integer     NOT NULL CHECK (daily_seconds BETWEEN 0 AND 86400),
  created_at    timestamptz NOT NULL,
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
-- A user's keys (ListApiKeys, the live-key cap); live names are unique.
CREATE INDEX api_keys_by_user ON generation.api_keys (user_id, key_id DESC);
CREATE UNIQUE INDEX api_keys_live_name ON generation.api_keys (user_id, name) WHERE revoked_at IS NULL;

ALTER TABLE generation.jobs ADD COLUMN api_key_id uuid;
-- A key's jobs of the day (its quota).
CREATE INDEX jobs_by_api_key ON generation.jobs (api_key_id, created_at) WHERE api_key_id IS NOT NULL;
