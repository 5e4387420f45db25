-- Data exports are limited to 3 per user per 24 hours; each one is recorded.
SET LOCAL ROLE cf_users;

CREATE TABLE users.exports (
  user_id     uuid        NOT NULL REFERENCES users.accounts ON DELETE CASCADE,
  exported_at timestamptz NOT NULL
);
CREATE INDEX exports_user_time ON users.exports (user_id, exported_at);
