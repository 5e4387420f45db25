-- Withdrawn clips and stored skips. Owned by cf_feed.
--
-- A clip moderation removed, or one that is not public (published so, or
-- made so later), is withdrawn: its row stays, with its originality at
-- publish and its counters, so that a restore or a return to public serves
-- it again as it was; the pools are rebuilt from the rows not withdrawn.
-- An author's deletion (or the account's) still deletes the row. Withdrawn
-- rows are few, so the rebuild's keyset scan of the primary key filters
-- them out without an index of its own. (A constant default adds the
-- column without rewriting the table.)
--
-- An opted-in viewer's skips are personalization data, as the affinity
-- is: what the Echo Chambers' bridging fits learn from, kept across
-- restarts and erased with the affinity when consent is withdrawn or the
-- account deleted. Like feed.likes, no foreign key to feed.clips (0022
-- has none): deleting a clip deletes its likes and skips by clip_id.

SET LOCAL ROLE cf_feed;

ALTER TABLE feed.clips ADD COLUMN withdrawn boolean NOT NULL DEFAULT false;

-- The first skip of each clip (a repeat inserts nothing).
CREATE TABLE feed.skips (
  user_id    uuid        NOT NULL,
  clip_id    uuid        NOT NULL,
  skipped_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, clip_id)
);

-- Deleting a clip, from the other side.
CREATE INDEX likes_by_clip ON feed.likes (clip_id);
CREATE INDEX skips_by_clip ON feed.skips (clip_id);
