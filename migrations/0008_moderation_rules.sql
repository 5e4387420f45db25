-- The moderation service's prompt filter: rules, per-category policies, the
-- version every instance compares against to know when to recompile, and
-- idempotency records. Owned by cf_moderation.

SET LOCAL ROLE cf_moderation;

-- One row: the version of the rule set (rules and category policies
-- together). Every change locks it and bumps it in the same transaction,
-- so changes are serialized and a reader that sees version v in a snapshot
-- sees exactly the changes up to v.
CREATE TABLE moderation.policy_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version   bigint  NOT NULL CHECK (version >= 0)
);
INSERT INTO moderation.policy_state (singleton, version) VALUES (true, 0);

-- Enum columns hold the proto enum numbers (clipforge.v1.RuleKind,
-- ModerationCategory, ModerationDecision, TextSurface).
CREATE TABLE moderation.rules (
  rule_id        uuid        PRIMARY KEY,
  -- The rule's number inside a compiled policy.
  seq            bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
  kind           smallint    NOT NULL CHECK (kind BETWEEN 1 AND 3),
  pattern        text        NOT NULL CHECK (length(pattern) BETWEEN 1 AND 500),
  category       smallint    NOT NULL CHECK (category BETWEEN 1 AND 13),
  decision       smallint    NOT NULL CHECK (decision IN (2, 3)),
  locales        text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(locales) <= 16),
  surfaces       smallint[]  NOT NULL DEFAULT '{}'
                 CHECK (cardinality(surfaces) <= 7 AND surfaces <@ '{1,2,3,4,5,6,7}'::smallint[]),
  enabled        boolean     NOT NULL,
  description    text        NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  version        bigint      NOT NULL,
  create_user_id uuid        NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX rules_by_category ON moderation.rules (category, seq);
-- Instances reload only what changed since their last full compile:
-- rules by version, and deletions by these tombstones.
CREATE INDEX rules_by_version ON moderation.rules (version);
CREATE TABLE moderation.deleted_rules (
  seq     bigint PRIMARY KEY,
  version bigint NOT NULL
);
CREATE INDEX deleted_rules_by_version ON moderation.deleted_rules (version);

CREATE TABLE moderation.category_policies (
  category               smallint    PRIMARY KEY CHECK (category BETWEEN 1 AND 13),
  max_automatic_decision smallint    NOT NULL CHECK (max_automatic_decision BETWEEN 1 AND 3),
  media_match_decision   smallint    NOT NULL CHECK (media_match_decision BETWEEN 1 AND 3),
  queue_priority         integer     NOT NULL CHECK (queue_priority BETWEEN 0 AND 100),
  terms_clause           text        NOT NULL DEFAULT '' CHECK (length(terms_clause) <= 200),
  description            text        NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  version                bigint      NOT NULL DEFAULT 1,
  updated_at             timestamptz NOT NULL DEFAULT now()
);

-- Every category starts able to block automatically; hash-bank matches
-- block outright only for child safety and violent extremism (the banks
-- there hold known material), and queue for review elsewhere.
INSERT INTO moderation.category_policies
  (category, max_automatic_decision, media_match_decision, queue_priority, terms_clause, description) VALUES
  (1,  3, 2,  60, 'Community Guidelines 3.1', 'Sexual content involving adults'),
  (2,  3, 3, 100, 'Community Guidelines 1.1', 'Any sexualisation of minors'),
  (3,  3, 2,  70, 'Community Guidelines 2.1', 'Graphic violence or gore'),
  (4,  3, 3,  90, 'Community Guidelines 2.2', 'Terrorist or violent extremist content'),
  (5,  3, 2,  60, 'Community Guidelines 4.1', 'Hate against protected groups'),
  (6,  3, 2,  50, 'Community Guidelines 4.2', 'Harassment or bullying of a person'),
  (7,  3, 2,  80, 'Community Guidelines 2.3', 'Self-harm or suicide promotion'),
  (8,  3, 2,  50, 'Community Guidelines 5.1', 'Illegal goods, services or activities'),
  (9,  3, 2,  40, 'Community Guidelines 6.1', 'Deceptive likeness of real people, impersonation'),
  (10, 3, 2,  30, 'Community Guidelines 6.2', 'Intellectual property infringement'),
  (11, 3, 2,  40, 'Community Guidelines 6.3', 'Private information about a person'),
  (12, 3, 2,  20, 'Community Guidelines 7.1', 'Spam, scams, manipulation'),
  (13, 3, 2,  10, 'Community Guidelines 8.1', 'Anything else');

-- A retried admin change (same caller and request_id) replays its outcome
-- (kit/pg_idempotency.h).
CREATE TABLE moderation.idempotency (
  caller_id    uuid        NOT NULL,
  request_id   uuid        NOT NULL,
  method       text        NOT NULL,
  fingerprint  text        NOT NULL,
  response     bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller_id, request_id)
);
CREATE INDEX idempotency_created ON moderation.idempotency (caller_id, created_at);
