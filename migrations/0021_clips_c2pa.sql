-- What a clip's video says of its own provenance, read once at publish (the
-- video never changes): clipforge.v1.C2paSummary. NULL for clips published
-- before it was read; they show only whether a manifest exists.
SET LOCAL ROLE cf_clips;

ALTER TABLE clips.clips ADD COLUMN c2pa bytea CHECK (length(c2pa) <= 4096);
