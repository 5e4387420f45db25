-- Ended sessions and expired refresh tokens are purged in batches (the
-- users service's purge task): these indexes let each batch find its rows
-- without scanning the tables.
SET LOCAL ROLE cf_users;

CREATE INDEX refresh_tokens_expiry ON users.refresh_tokens (expires_at);
CREATE INDEX sessions_revoked ON users.sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX sessions_created ON users.sessions (created_at);
