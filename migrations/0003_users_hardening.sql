-- Handles of deleted accounts stay reserved for 30 days, so nobody can take
-- over a departed user's name while others still know them by it.
SET LOCAL ROLE cf_users;

CREATE TABLE users.reserved_handles (
  handle         text        PRIMARY KEY,
  reserved_until timestamptz NOT NULL
);

CREATE INDEX idempotency_created ON users.idempotency (caller_id, created_at);
