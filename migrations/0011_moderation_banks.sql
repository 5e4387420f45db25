-- Hash banks (perceptual hashes of known harmful media), their entries and
-- the allow-list of known false positives, for the media filter. Owned by
-- cf_moderation. Enum columns hold the proto enum numbers.

SET LOCAL ROLE cf_moderation;

-- One row: the version of everything the media filter loads (banks,
-- entries, allow-list). Every change locks and bumps it, as
-- policy_state does for the prompt rules.
CREATE TABLE moderation.banks_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version   bigint  NOT NULL CHECK (version >= 0)
);
INSERT INTO moderation.banks_state (singleton, version) VALUES (true, 0);

CREATE TABLE moderation.hash_banks (
  bank_id      uuid        PRIMARY KEY,
  -- The bank's small number inside the in-memory index.
  seq          integer     GENERATED ALWAYS AS IDENTITY UNIQUE,
  name         text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
  description  text        NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  category     smallint    NOT NULL CHECK (category BETWEEN 1 AND 13),
  decision     smallint    NOT NULL CHECK (decision IN (2, 3)),
  hash_type    smallint    NOT NULL CHECK (hash_type = 1),
  max_distance integer     NOT NULL CHECK (max_distance BETWEEN 0 AND 64),
  source       text        NOT NULL DEFAULT '' CHECK (length(source) <= 100),
  enabled      boolean     NOT NULL,
  entry_count  bigint      NOT NULL DEFAULT 0,
  version      bigint      NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);

CREATE TABLE moderation.bank_entries (
  entry_id    uuid        PRIMARY KEY,
  bank_id     uuid        NOT NULL REFERENCES moderation.hash_banks,
  hash        bytea       NOT NULL CHECK (length(hash) = 32),
  external_id text        NOT NULL DEFAULT '' CHECK (length(external_id) <= 128),
  created_at  timestamptz NOT NULL,
  -- A hash is in a bank once.
  UNIQUE (bank_id, hash)
);

CREATE TABLE moderation.allow_list (
  entry_id       uuid        PRIMARY KEY,
  -- NULL: the entry applies to every bank.
  bank_id        uuid        REFERENCES moderation.hash_banks,
  hash           bytea       NOT NULL CHECK (length(hash) = 32),
  reason         text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  create_user_id uuid        NOT NULL,
  created_at     timestamptz NOT NULL
);
CREATE INDEX allow_list_newest ON moderation.allow_list (created_at DESC, entry_id DESC);
