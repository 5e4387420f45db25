-- Comments on clips, one level of replies, and the mutes the users
-- service announces (a viewer's listings leave out comments by users they
-- block or mute). Owned by cf_clips.
SET LOCAL ROLE cf_clips;

CREATE TABLE clips.comments (
  comment_id        uuid        PRIMARY KEY,
  -- No foreign key to the clip (see 0020): a comment is written in a
  -- transaction that has just read the clip, and clips are never deleted.
  clip_id           uuid        NOT NULL,
  -- NULL once deleted (a tombstone kept for its replies) or once the
  -- author's account is deleted.
  author_id         uuid,
  -- Set for a reply: the top-level comment it answers (never a reply).
  parent_comment_id uuid        REFERENCES clips.comments (comment_id),
  text              text        NOT NULL CHECK (length(text) <= 2000),
  -- Visible replies of a top-level comment.
  reply_count       integer     NOT NULL DEFAULT 0 CHECK (reply_count >= 0),
  deleted           boolean     NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL,
  CHECK (NOT deleted OR (text = '' AND author_id IS NULL))
);
-- A clip's top-level comments, newest first; a comment's replies, oldest
-- first; a user's comments (account deletion).
CREATE INDEX comments_top ON clips.comments (clip_id, comment_id DESC) WHERE parent_comment_id IS NULL;
CREATE INDEX comments_replies ON clips.comments (parent_comment_id, comment_id) WHERE parent_comment_id IS NOT NULL;
CREATE INDEX comments_by_author ON clips.comments (author_id) WHERE author_id IS NOT NULL;

CREATE TABLE clips.mutes (
  muter_id uuid NOT NULL,
  muted_id uuid NOT NULL,
  PRIMARY KEY (muter_id, muted_id)
);
CREATE INDEX mutes_by_muted ON clips.mutes (muted_id);
