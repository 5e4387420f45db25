-- The persistent seen-filter. Owned by cf_feed.
--
-- A clip an opted-in viewer sent feedback about (any kind: it was on
-- screen) is seen, and a new feed session leaves it out, as the page
-- token's filter leaves out what the session served. Which clips a viewer
-- watched is personalization data, as the affinity and the skips are:
-- kept only while they opt into analytics, across restarts, and erased
-- with the affinity when consent is withdrawn or the account deleted.
--
-- Bounded: the pools keep each viewer's newest kMaxSeenPerViewer (5,000,
-- services/feed/feed_state.h) and forget the oldest as new ones come;
-- once they forgot kSeenTrimBatch (500), the next feedback's transaction
-- deletes the viewer's rows beyond the newest 5,000 (by seen_at, then
-- clip_id, as the load orders them). That trim reads one viewer's rows
-- through the primary key every few hundred clips seen, rather than every
-- insert maintaining an index on seen_at. Like feed.skips, no foreign key
-- to feed.clips: deleting a clip deletes its rows by clip_id.

SET LOCAL ROLE cf_feed;

-- The first time each clip was seen (a repeat inserts nothing).
CREATE TABLE feed.seen (
  user_id uuid        NOT NULL,
  clip_id uuid        NOT NULL,
  seen_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, clip_id)
);

-- Deleting a clip, from the other side.
CREATE INDEX seen_by_clip ON feed.seen (clip_id);
