-- Reach penalties for mass reposting. Owned by cf_feed.
--
-- A creator who publishes 5 public copies of other creators' clips within
-- 24 hours keeps a quarter of their clips' scores for 7 days from the
-- fifth (feed/reach_penalty.h); a later run while it runs extends it. One
-- row a creator, their latest penalty: a new one, once the last has ended
-- or been lifted, replaces the row with its appeal. The pools load the
-- rows not lifted at start; a lifted row stays, because its lift time
-- forgives the copies before it (they never count toward another run).
--
-- The appeal: the creator's statement (one a penalty), then a moderator's
-- decision, 'upheld' or 'lifted' (lifted_at set in the same change), with
-- who decided, when and a note the creator reads. The copies' clips are
-- those of the run that started it; like feed.likes, no foreign key to
-- feed.clips (0022 has none).

SET LOCAL ROLE cf_feed;

CREATE TABLE feed.reach_penalties (
  creator_id       uuid        PRIMARY KEY,
  -- The copy that completed the run.
  started_at       timestamptz NOT NULL,
  -- 7 days after the latest run's last copy.
  until            timestamptz NOT NULL,
  -- The run that started it, and one for each later run that extended it.
  copies           integer     NOT NULL CHECK (copies >= 1),
  copy_clip_ids    uuid[]      NOT NULL DEFAULT '{}',
  -- NULL unless lifted on appeal.
  lifted_at        timestamptz,
  -- NULL until appealed.
  appeal_statement text,
  appealed_at      timestamptz,
  -- NULL until decided.
  appeal_decision  text        CHECK (appeal_decision IN ('upheld', 'lifted')),
  decided_by       uuid,
  decided_at       timestamptz,
  decision_note    text,
  CHECK (until > started_at),
  CHECK ((appeal_statement IS NULL) = (appealed_at IS NULL)),
  CHECK (appeal_decision IS NULL OR appealed_at IS NOT NULL),
  CHECK ((appeal_decision IS NULL) = (decided_at IS NULL)),
  CHECK ((appeal_decision IS NULL) = (decided_by IS NULL)),
  CHECK ((appeal_decision IS NOT DISTINCT FROM 'lifted') = (lifted_at IS NOT NULL))
);
