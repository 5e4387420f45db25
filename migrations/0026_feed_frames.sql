-- Frame hashes for media near-duplicates. Owned by cf_feed.
--
-- A published clip's PDQ hashes of its frames at 1 fps (the media
-- filter's, carried by clipforge.clip.published) are what tells a re-cut
-- or re-encoded copy of another creator's video. frame_hashes keeps the
-- whole list (32 bytes a frame), read only to verify a match the index
-- proposed; indexed_frames the few the in-memory index holds (at most 8,
-- 256 bytes), all that the pools' rebuild reads. NULL for a clip that came
-- without hashes (published before the media filter kept them).

SET LOCAL ROLE cf_feed;

ALTER TABLE feed.clips
  ADD COLUMN frame_hashes   bytea,
  ADD COLUMN indexed_frames bytea;
