-- Reports, the review queue, decisions and appeals. Owned by cf_moderation.
-- Enum columns hold the proto enum numbers (clipforge.v1.ContentKind,
-- CaseSource, CaseStatus, ReportStatus, ModerationCategory,
-- ModerationAction, AppealStatus).

SET LOCAL ROLE cf_moderation;

-- One case per thing under review. Reports on the same target, and filter
-- hits on it, merge into its one undecided case per source.
CREATE TABLE moderation.cases (
  case_id           uuid        PRIMARY KEY,
  target_kind       smallint    NOT NULL CHECK (target_kind BETWEEN 1 AND 6),
  target_id         text        NOT NULL CHECK (length(target_id) BETWEEN 1 AND 64),
  -- The user the target belongs to (the affected user), when known.
  subject_user_id   text        NOT NULL DEFAULT '' CHECK (length(subject_user_id) <= 64),
  -- Who must not judge it (besides the subject): for an appeal, the
  -- moderator of the decision under appeal.
  recused_user_id   text        NOT NULL DEFAULT '' CHECK (length(recused_user_id) <= 64),
  source            smallint    NOT NULL CHECK (source BETWEEN 1 AND 4),
  status            smallint    NOT NULL CHECK (status BETWEEN 1 AND 3),
  categories        smallint[]  NOT NULL DEFAULT '{}' CHECK (cardinality(categories) <= 13),
  severity          integer     NOT NULL CHECK (severity BETWEEN 0 AND 100),
  views             bigint      NOT NULL DEFAULT 0 CHECK (views >= 0),
  report_count      integer     NOT NULL DEFAULT 0 CHECK (report_count >= 0),
  -- The queue's order (moderation/review_queue.h): ascending, fixed at
  -- entry, moved when reach or reports change.
  rank_micros       bigint      NOT NULL,
  -- The claim: who holds the case and until when. A lapsed claim leaves
  -- the case claimable again without anyone having to clear it.
  claim_id          uuid,
  claim_user_id     text        NOT NULL DEFAULT '',
  claim_expires_at  timestamptz,
  appeal_id         uuid,
  -- What the moderator judges: the prompt or text, and the filter evidence
  -- (a serialized clipforge.v1.ReviewCase holding only rule_matches and
  -- frame_matches).
  prompt            text        NOT NULL DEFAULT '' CHECK (length(prompt) <= 10000),
  text              text        NOT NULL DEFAULT '' CHECK (length(text) <= 10000),
  evidence          bytea       NOT NULL DEFAULT '' CHECK (length(evidence) <= 65536),
  decision_id       uuid,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  CHECK ((status = 2) = (claim_id IS NOT NULL)),
  CHECK ((status = 3) = (decision_id IS NOT NULL)),
  CHECK ((source = 4) = (appeal_id IS NOT NULL))
);
-- The queue: undecided cases by rank (ClaimNextCase, ListCases).
CREATE INDEX cases_queue ON moderation.cases (rank_micros, case_id) WHERE status <> 3;
-- Live claims per moderator (ClaimNextCase's limit).
CREATE INDEX cases_claimed_by ON moderation.cases (claim_user_id) WHERE status = 2;
-- At most one undecided case per target and source (appeals have their own).
CREATE UNIQUE INDEX cases_one_open_per_target ON moderation.cases (target_kind, target_id, source)
  WHERE status <> 3 AND source <> 4;

CREATE TABLE moderation.decisions (
  decision_id          uuid        PRIMARY KEY,
  case_id              uuid        NOT NULL REFERENCES moderation.cases,
  target_kind          smallint    NOT NULL,
  target_id            text        NOT NULL,
  subject_user_id      text        NOT NULL DEFAULT '',
  action               smallint    NOT NULL CHECK (action BETWEEN 1 AND 9),
  categories           smallint[]  NOT NULL DEFAULT '{}' CHECK (cardinality(categories) <= 13),
  -- A serialized clipforge.v1.StatementOfReasons (validated before it is
  -- stored; sent as is to the affected user).
  statement            bytea       NOT NULL CHECK (length(statement) <= 16384),
  moderator_id         text        NOT NULL DEFAULT '',
  appeal_id            uuid,
  created_at           timestamptz NOT NULL,
  appeal_deadline      timestamptz NOT NULL
);
CREATE INDEX decisions_by_target ON moderation.decisions (target_kind, target_id, created_at DESC);
CREATE INDEX decisions_by_subject ON moderation.decisions (subject_user_id, created_at DESC) WHERE subject_user_id <> '';

CREATE TABLE moderation.reports (
  report_id   uuid        PRIMARY KEY,
  reporter_id uuid        NOT NULL,
  target_kind smallint    NOT NULL CHECK (target_kind BETWEEN 1 AND 6),
  target_id   text        NOT NULL CHECK (length(target_id) BETWEEN 1 AND 64),
  reason      smallint    NOT NULL CHECK (reason BETWEEN 1 AND 13),
  details     text        NOT NULL DEFAULT '' CHECK (length(details) <= 1000),
  status      smallint    NOT NULL CHECK (status BETWEEN 1 AND 3),
  case_id     uuid        NOT NULL REFERENCES moderation.cases,
  decision_id uuid        REFERENCES moderation.decisions,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
-- One open report per reporter and target.
CREATE UNIQUE INDEX reports_one_open ON moderation.reports (reporter_id, target_kind, target_id) WHERE status = 1;
CREATE INDEX reports_by_reporter ON moderation.reports (reporter_id, created_at DESC, report_id DESC);
CREATE INDEX reports_by_case ON moderation.reports (case_id, reporter_id);

CREATE TABLE moderation.appeals (
  appeal_id           uuid        PRIMARY KEY,
  decision_id         uuid        NOT NULL REFERENCES moderation.decisions,
  appellant_id        uuid        NOT NULL,
  text                text        NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
  status              smallint    NOT NULL CHECK (status BETWEEN 1 AND 4),
  case_id             uuid        NOT NULL REFERENCES moderation.cases,
  outcome_decision_id uuid        REFERENCES moderation.decisions,
  created_at          timestamptz NOT NULL,
  decided_at          timestamptz,
  -- One appeal per user and decision.
  UNIQUE (decision_id, appellant_id)
);
