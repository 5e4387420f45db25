-- The tipping service's ledger and the rows its reads are answered from.
-- Owned by cf_tipping; tipping.inbox and tipping.dead_letter come from 0001.
--
-- One writer per shard owns the books in memory (services/tipping/
-- ledger_writer.h) and commits many requests per transaction: every table
-- the writer fills is written in bulk, one statement per table per batch,
-- so the tables carry no per-row triggers and no foreign keys on the hot
-- path beyond the transfer's batch. The database still holds the line the
-- money cannot cross: the balance-limit flags are CHECK constraints, so a
-- bug in the writer's memory cannot store an overdrawn wallet.
--
-- Times are timestamptz (whole microseconds, which is all the service
-- keeps); durations are bigint microseconds; money is bigint micros;
-- currencies are ISO 4217 codes; enums are smallint holding the C++ enum's
-- stored value (the enums say: never renumber). Ids of users, clips, tips
-- and top-ups are uuid; ledger account and transfer ids are text (composed
-- from a kind, a user or request id and a suffix, not UUIDs themselves).

SET LOCAL ROLE cf_tipping;

-- The writer's fence: taking it bumps the epoch (creating the row at 1). A
-- batch commits only while the epoch is still the one it was decided under,
-- and holds the row FOR SHARE until COMMIT, so the bump waits for a batch in
-- flight to end one way or the other.
CREATE TABLE tipping.writer_fence (
  shard text   PRIMARY KEY,
  epoch bigint NOT NULL CHECK (epoch > 0)
);

-- One row per group commit, hash-chained: each holds the hash of the one
-- before (empty for the first), so a missing or altered batch shows. After
-- an in-doubt COMMIT the writer asks whether its (sequence, hash) row is
-- here.
CREATE TABLE tipping.batches (
  sequence      bigint      PRIMARY KEY CHECK (sequence > 0),
  epoch         bigint      NOT NULL,
  previous_hash bytea       NOT NULL,
  hash          bytea       NOT NULL,
  request_count integer     NOT NULL CHECK (request_count >= 0),
  committed_at  timestamptz NOT NULL
);

-- TigerBeetle-style accounts: four counters, never a stored balance.
CREATE TABLE tipping.accounts (
  account_id                     text     PRIMARY KEY,
  kind                           smallint NOT NULL CHECK (kind > 0),
  currency                       text     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  debits_must_not_exceed_credits boolean  NOT NULL,
  credits_must_not_exceed_debits boolean  NOT NULL,
  history                        boolean  NOT NULL,
  debits_pending                 bigint   NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  debits_posted                  bigint   NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_pending                bigint   NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  credits_posted                 bigint   NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  -- The balance limits count pending amounts against the account (a hold
  -- can never be posted into an overdraft). Sums in numeric: each counter
  -- fits in bigint, their sum need not.
  CONSTRAINT debits_within_credits CHECK (
    NOT debits_must_not_exceed_credits
    OR debits_pending::numeric + debits_posted <= credits_posted),
  CONSTRAINT credits_within_debits CHECK (
    NOT credits_must_not_exceed_debits
    OR credits_pending::numeric + credits_posted <= debits_posted)
);

-- Every applied transfer: the columns up to rules_version are the Transfer
-- exactly as submitted (a retry is compared with it field by field; a post
-- or void may leave accounts, currency and code empty), the moved_* columns
-- what it actually moved (ledger/transfer_record.h).
CREATE TABLE tipping.transfers (
  transfer_id             text        PRIMARY KEY,
  debit_account_id        text        NOT NULL,
  credit_account_id       text        NOT NULL,
  amount                  bigint      NOT NULL CHECK (amount >= 0),
  currency                text        NOT NULL CHECK (currency = '' OR currency ~ '^[A-Z]{3}$'),
  code                    smallint    NOT NULL CHECK (code >= 0),
  linked                  boolean     NOT NULL,
  pending                 boolean     NOT NULL,
  post_pending_transfer   boolean     NOT NULL,
  void_pending_transfer   boolean     NOT NULL,
  -- The pending transfer a post or void resolves; '' otherwise.
  pending_id              text        NOT NULL,
  timeout_micros          bigint      NOT NULL CHECK (timeout_micros >= 0),
  rules_version           integer     NOT NULL,
  moved_debit_account_id  text        NOT NULL,
  moved_credit_account_id text        NOT NULL,
  moved_currency          text        NOT NULL CHECK (moved_currency ~ '^[A-Z]{3}$'),
  moved_code              smallint    NOT NULL CHECK (moved_code >= 0),
  moved_amount            bigint      NOT NULL CHECK (moved_amount >= 0),
  applied_at              timestamptz NOT NULL,
  -- NULL: it never expires (absl::InfiniteFuture).
  expires_at              timestamptz,
  -- ledger::PendingState: not pending, pending, posted, voided, expired.
  state                   smallint    NOT NULL CHECK (state BETWEEN 0 AND 4),
  -- The batch that stored it (no foreign key: a per-row check would cost
  -- every bulk insert, and the batch row is written in the same
  -- transaction by the only writer).
  batch_sequence          bigint      NOT NULL,
  -- At most one of the two-phase flags.
  CHECK (pending::int + post_pending_transfer::int + void_pending_transfer::int <= 1)
);

-- Statements: one row per posted amount on an account, numbered 1, 2, ...
-- per account in booking order. Kept for every account the writer books
-- (balance-as-of reads only need user accounts, but the writer decides).
CREATE TABLE tipping.entries (
  account_id              text        NOT NULL,
  sequence                bigint      NOT NULL CHECK (sequence > 0),
  transfer_id             text        NOT NULL,
  code                    smallint    NOT NULL,
  -- Positive credits the account's normal side, negative debits it.
  amount                  bigint      NOT NULL,
  balance_after           bigint      NOT NULL,
  counterparty_account_id text        NOT NULL,
  booked_at               timestamptz NOT NULL,
  PRIMARY KEY (account_id, sequence)
);
-- Balance as of a time, and a statement's time window.
CREATE INDEX entries_by_time ON tipping.entries (account_id, booked_at, sequence);

-- A tip as shown: leg i is (leg_kinds[i], leg_user_ids[i], ...). The legs'
-- user and clip ids are text: the platform fee's are empty.
CREATE TABLE tipping.tips (
  tip_id          uuid        PRIMARY KEY,
  sender_id       uuid        NOT NULL,
  clip_id         uuid        NOT NULL,
  amount          bigint      NOT NULL CHECK (amount > 0),
  currency        text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  message         text        NOT NULL DEFAULT '',
  rules_version   integer     NOT NULL,
  leg_kinds       smallint[]  NOT NULL,
  leg_user_ids    text[]      NOT NULL,
  leg_clip_ids    text[]      NOT NULL,
  leg_depths      integer[]   NOT NULL,
  leg_amounts     bigint[]    NOT NULL,
  leg_account_ids text[]      NOT NULL,
  created_at      timestamptz NOT NULL,
  CHECK (cardinality(leg_user_ids) = cardinality(leg_kinds)),
  CHECK (cardinality(leg_clip_ids) = cardinality(leg_kinds)),
  CHECK (cardinality(leg_depths) = cardinality(leg_kinds)),
  CHECK (cardinality(leg_amounts) = cardinality(leg_kinds)),
  CHECK (cardinality(leg_account_ids) = cardinality(leg_kinds))
);
-- A sender's tips, newest first.
CREATE INDEX tips_by_sender ON tipping.tips (sender_id, created_at);

-- Money added to a wallet through a payment provider (and declined
-- attempts, which moved nothing). status is TopUpStatus.
CREATE TABLE tipping.top_ups (
  top_up_id          uuid        PRIMARY KEY,
  user_id            uuid        NOT NULL,
  amount             bigint      NOT NULL CHECK (amount > 0),
  currency           text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  refunded           bigint      NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
  status             smallint    NOT NULL CHECK (status BETWEEN 1 AND 5),
  provider           text        NOT NULL,
  provider_reference text        NOT NULL DEFAULT '',
  failure_reason     text        NOT NULL DEFAULT '',
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX top_ups_by_user ON tipping.top_ups (user_id, created_at);

-- The clip directory the tip split needs, kept from the clips service's
-- events. author_id is NULL while only a removal was seen (the row exists
-- so that a late publish event cannot bring the clip back); a removal is
-- never undone.
CREATE TABLE tipping.clips (
  clip_id        uuid    PRIMARY KEY,
  author_id      uuid,
  -- NULL for an original (or while unknown).
  parent_clip_id uuid,
  tippable       boolean NOT NULL DEFAULT true,
  removed        boolean NOT NULL DEFAULT false
);

-- Users deleted or banned: they earn no royalties. Never removed.
CREATE TABLE tipping.gone_users (
  user_id uuid PRIMARY KEY
);
