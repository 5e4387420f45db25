-- Published clips and the fork graph, likes and counted views, and the copy
-- of the users service's data that visibility needs (handles, follows,
-- blocks). Owned by cf_clips. Enum columns hold the proto enum numbers
-- (clipforge.v1.Visibility, RemovalReason).
--
-- The graph is an adjacency list with each clip's root and depth. Measured
-- on 1,000,000 clips (a 10,000-deep chain, viral roots of 100,000
-- descendants): the first 50 ancestors by a recursive walk up parent_id
-- take 1-1.5 ms and the whole 10,000-deep lineage 41 ms; a page of a root's
-- descendants through (root_id, depth, clip_id) 1.4-3.9 ms. A closure table
-- would hold 50 million rows for the one deep chain alone, and a
-- materialized path 80 KB per row at its end.

SET LOCAL ROLE cf_clips;

CREATE TABLE clips.clips (
  clip_id            uuid        PRIMARY KEY,
  -- NULL once the author's account is deleted (the node stays, anonymous).
  author_id          uuid,
  job_id             uuid        NOT NULL UNIQUE,
  -- A serialized clipforge.v1.JobSpec (prompt and parameters) and
  -- clipforge.v1.JobOutputs (the media's blob references).
  spec               bytea       NOT NULL CHECK (length(spec) <= 65536),
  media              bytea       NOT NULL CHECK (length(media) <= 65536),
  prompt             text        NOT NULL CHECK (length(prompt) <= 8000),
  -- A fork's prompt against its parent's (a serialized clipforge.v1.
  -- PromptDiff), computed once at publish: neither prompt ever changes.
  diff               bytea       CHECK (length(diff) <= 262144),
  parent_id          uuid        REFERENCES clips.clips (clip_id),
  root_id            uuid        NOT NULL,
  depth              integer     NOT NULL CHECK (depth >= 0),
  title              text        NOT NULL DEFAULT '' CHECK (length(title) <= 400),
  caption            text        NOT NULL DEFAULT '' CHECK (length(caption) <= 8800),
  tags               text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 32),
  language           text        NOT NULL DEFAULT '' CHECK (length(language) <= 35),
  visibility         smallint    NOT NULL CHECK (visibility BETWEEN 1 AND 4),
  forking_allowed    boolean     NOT NULL,
  party_id           uuid,
  -- 0 while live; else the clipforge.v1.RemovalReason.
  removal_reason     smallint    NOT NULL DEFAULT 0,
  like_count         bigint      NOT NULL DEFAULT 0 CHECK (like_count >= 0),
  view_count         bigint      NOT NULL DEFAULT 0 CHECK (view_count >= 0),
  comment_count      bigint      NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
  direct_fork_count  bigint      NOT NULL DEFAULT 0 CHECK (direct_fork_count >= 0),
  descendant_count   bigint      NOT NULL DEFAULT 0 CHECK (descendant_count >= 0),
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  CHECK ((parent_id IS NULL) = (depth = 0)),
  CHECK (parent_id IS NOT NULL OR root_id = clip_id)
);
-- An author's clips, newest first (ids are UUIDv7: time-ordered).
CREATE INDEX clips_by_author ON clips.clips (author_id, clip_id DESC);
-- Direct forks (variants, the walk down an inner node's subtree).
CREATE INDEX clips_by_parent ON clips.clips (parent_id, clip_id DESC) WHERE parent_id IS NOT NULL;
-- A root's descendants breadth first, newest first within a depth.
CREATE INDEX clips_by_root ON clips.clips (root_id, depth, clip_id DESC);

-- One row per like; the clip's like_count changes in the same transaction.
CREATE TABLE clips.likes (
  clip_id    uuid        NOT NULL REFERENCES clips.clips (clip_id) ON DELETE CASCADE,
  user_id    uuid        NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (clip_id, user_id)
);
CREATE INDEX likes_by_user ON clips.likes (user_id);

-- When a viewer's view of a clip last counted: a view counts when there is
-- none or it is an hour old. Rows older than an hour are swept.
CREATE TABLE clips.view_marks (
  clip_id    uuid        NOT NULL REFERENCES clips.clips (clip_id) ON DELETE CASCADE,
  viewer_id  uuid        NOT NULL,
  counted_at timestamptz NOT NULL,
  PRIMARY KEY (clip_id, viewer_id)
);
CREATE INDEX view_marks_by_time ON clips.view_marks (counted_at);

-- The users service's data this service needs, copied from its events.
CREATE TABLE clips.users (
  user_id      uuid    PRIMARY KEY,
  handle       text    NOT NULL DEFAULT '' CHECK (length(handle) <= 30),
  display_name text    NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
  -- Whether they opted into analytics (a counted view names them only then).
  analytics    boolean NOT NULL DEFAULT false,
  deleted      boolean NOT NULL DEFAULT false
);
CREATE TABLE clips.follows (
  follower_id uuid NOT NULL,
  followee_id uuid NOT NULL,
  PRIMARY KEY (follower_id, followee_id)
);
-- Forgetting a deleted account, from the other side.
CREATE INDEX follows_by_followee ON clips.follows (followee_id);
CREATE TABLE clips.blocks (
  blocker_id uuid NOT NULL,
  blocked_id uuid NOT NULL,
  PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_by_blocked ON clips.blocks (blocked_id);

-- A retried change replays its outcome (kit/pg_idempotency.h).
CREATE TABLE clips.idempotency (
  caller_id    uuid        NOT NULL,
  request_id   uuid        NOT NULL,
  method       text        NOT NULL,
  fingerprint  text        NOT NULL,
  response     bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller_id, request_id)
);
CREATE INDEX idempotency_created ON clips.idempotency (caller_id, created_at);
