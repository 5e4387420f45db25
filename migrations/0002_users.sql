-- The users service: accounts, sessions with rotating refresh tokens, the
-- social graph, and idempotency records. Owned by cf_users.

SET LOCAL ROLE cf_users;

CREATE TABLE users.accounts (
  user_id                 uuid        PRIMARY KEY,
  handle                  text        NOT NULL CHECK (handle ~ '^[a-z][a-z0-9_]{2,29}$'),
  email                   text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  password_hash           text        NOT NULL,
  display_name            text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 50),
  bio                     text        NOT NULL DEFAULT '' CHECK (length(bio) <= 500),
  avatar_blob_id          text        NOT NULL DEFAULT '',
  languages               text[]      NOT NULL DEFAULT '{}',
  roles                   integer     NOT NULL DEFAULT 1,  -- bitmask of kit::Role; bit 0 (user) always set
  analytics_opt_in        boolean     NOT NULL DEFAULT false,
  consent_time            timestamptz,
  consent_policy_version  text        NOT NULL DEFAULT '',
  follower_count          bigint      NOT NULL DEFAULT 0 CHECK (follower_count >= 0),
  following_count         bigint      NOT NULL DEFAULT 0 CHECK (following_count >= 0),
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL,
  roles_updated_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX accounts_handle_key ON users.accounts (handle);
CREATE UNIQUE INDEX accounts_email_key ON users.accounts (email);

-- A signed-in device. Access tokens name their session; the users service
-- refuses tokens of revoked sessions (other services rely on the 15-minute
-- expiry).
CREATE TABLE users.sessions (
  session_id    uuid        PRIMARY KEY,
  user_id       uuid        NOT NULL REFERENCES users.accounts ON DELETE CASCADE,
  device_name   text        NOT NULL DEFAULT '',
  login_request uuid        NOT NULL,  -- the Login/Register request_id that opened it
  created_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  revoke_reason text
);
CREATE INDEX sessions_user ON users.sessions (user_id) WHERE revoked_at IS NULL;
CREATE UNIQUE INDEX sessions_login_request ON users.sessions (user_id, login_request);

-- Refresh tokens, stored only as SHA-256 hashes. A token is used once: it is
-- retired when exchanged. Presenting a retired token again (other than a
-- retry of the same request within the grace period) revokes the session:
-- the token family was stolen.
CREATE TABLE users.refresh_tokens (
  token_hash       text        PRIMARY KEY,
  session_id       uuid        NOT NULL REFERENCES users.sessions ON DELETE CASCADE,
  issued_at        timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  retired_at       timestamptz,
  retired_by       uuid,       -- request_id of the RefreshToken call that retired it
  successor_hash   text
);
CREATE INDEX refresh_tokens_session ON users.refresh_tokens (session_id);

CREATE TABLE users.follows (
  follower_id uuid        NOT NULL REFERENCES users.accounts ON DELETE CASCADE,
  followee_id uuid        NOT NULL REFERENCES users.accounts ON DELETE CASCADE,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (follower_id, followee_id),
  CHECK (follower_id <> followee_id)
);
CREATE INDEX follows_followee ON users.follows (followee_id, created_at DESC, follower_id);
CREATE INDEX follows_follower ON users.follows (follower_id, created_at DESC, followee_id);

CREATE TABLE users.blocks (
  blocker_id uuid        NOT NULL REFERENCES users.accounts ON DELETE CASCADE,
  blocked_id uuid        NOT NULL REFERENCES users.accounts ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (blocker_id, blocked_id),
  CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocker ON users.blocks (blocker_id, created_at DESC, blocked_id);
CREATE INDEX blocks_blocked ON users.blocks (blocked_id);

CREATE TABLE users.mutes (
  muter_id   uuid        NOT NULL REFERENCES users.accounts ON DELETE CASCADE,
  muted_id   uuid        NOT NULL REFERENCES users.accounts ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (muter_id, muted_id),
  CHECK (muter_id <> muted_id)
);
CREATE INDEX mutes_muter ON users.mutes (muter_id, created_at DESC, muted_id);

-- Idempotency of mutations without secrets in their response: the first
-- outcome of (caller, request_id) is replayed; a different request under the
-- same id is refused.
CREATE TABLE users.idempotency (
  caller_id    uuid        NOT NULL,
  request_id   uuid        NOT NULL,
  method       text        NOT NULL,
  fingerprint  text        NOT NULL,
  response     bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller_id, request_id)
);
