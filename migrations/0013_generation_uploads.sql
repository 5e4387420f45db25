-- Media users upload (UploadMedia): soundtracks, stickers and avatars. The
-- blob itself is content-addressed in the blob store; this row says who
-- uploaded it as what, so that only the uploader may use the BlobRef.
SET LOCAL ROLE cf_generation;

CREATE TABLE generation.uploads (
  user_id      uuid        NOT NULL,
  sha256       text        NOT NULL CHECK (length(sha256) = 64),
  kind         smallint    NOT NULL CHECK (kind BETWEEN 1 AND 3),
  content_type text        NOT NULL CHECK (length(content_type) <= 100),
  size_bytes   bigint      NOT NULL CHECK (size_bytes > 0),
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (user_id, sha256, kind)
);
-- Unreferenced uploads to delete once they expire.
CREATE INDEX uploads_expiry ON generation.uploads (expires_at);
