-- Measured with 64 clients publishing forks of one parent (clips_graph_bench):
-- every insert's foreign-key check took a KEY SHARE lock on the parent row,
-- which the same transactions then lock to count the fork; 64 lockers of
-- one row in two modes churn multixacts, and publishes ran at 35 a second
-- with one in ten past the statement timeout. Likes and view marks did the
-- same to a popular clip's row. Clips are never deleted (a removed clip is a
-- tombstone), and each of these rows is written in a transaction that has
-- just read the clip it names, so the references cannot dangle: the
-- foreign keys go.
SET LOCAL ROLE cf_clips;

ALTER TABLE clips.clips DROP CONSTRAINT clips_parent_id_fkey;
ALTER TABLE clips.likes DROP CONSTRAINT likes_clip_id_fkey;
ALTER TABLE clips.view_marks DROP CONSTRAINT view_marks_clip_id_fkey;

-- A root's descendants newest first and most liked first (ListDescendants,
-- the CLI's tree): a viral root's 100,000 descendants were sorted whole
-- for every page (470-490 ms).
CREATE INDEX clips_by_root_newest ON clips.clips (root_id, clip_id DESC);
CREATE INDEX clips_by_root_liked ON clips.clips (root_id, like_count DESC, clip_id DESC);
