-- Generation jobs, the fair queue, the outputs workers upload and worker
-- credentials. Owned by cf_generation. Enum columns hold the proto enum
-- numbers (clipforge.v1.JobStatus, GenerationQuality, Tier,
-- GenerationFailureCode).

SET LOCAL ROLE cf_generation;

-- The scheduler's virtual clock (generation/scheduling.h): the largest tag
-- dispatched so far. One row, advanced by every lease.
CREATE TABLE generation.queue_clock (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  tag       bigint  NOT NULL CHECK (tag >= 0)
);
INSERT INTO generation.queue_clock (singleton, tag) VALUES (true, 0);

-- Each user's last queue tag and tier (set by admins until the tipping
-- service sells subscriptions).
CREATE TABLE generation.users (
  user_id   uuid     PRIMARY KEY,
  tier      smallint NOT NULL DEFAULT 1 CHECK (tier BETWEEN 1 AND 3),
  last_tag  bigint   NOT NULL DEFAULT 0 CHECK (last_tag >= 0)
);

CREATE TABLE generation.jobs (
  job_id            uuid        PRIMARY KEY,
  user_id           uuid        NOT NULL,
  request_id        uuid        NOT NULL,
  status            smallint    NOT NULL CHECK (status BETWEEN 1 AND 6),
  tier              smallint    NOT NULL CHECK (tier BETWEEN 1 AND 3),
  -- The spec (a serialized clipforge.v1.JobSpec with the seed set) and the
  -- columns the queue filters on.
  spec              bytea       NOT NULL CHECK (length(spec) <= 65536),
  renderer          text        NOT NULL CHECK (length(renderer) BETWEEN 1 AND 64),
  seconds           integer     NOT NULL CHECK (seconds BETWEEN 4 AND 300),
  pixels            bigint      NOT NULL CHECK (pixels > 0),
  quality           smallint    NOT NULL CHECK (quality IN (1, 2)),
  quota_seconds     integer     NOT NULL CHECK (quota_seconds >= 0),
  fingerprint       text        NOT NULL CHECK (length(fingerprint) = 64),
  queue_tag         bigint      NOT NULL,
  -- The lease: its epoch is the fencing token every worker call carries.
  lease_epoch       bigint      NOT NULL DEFAULT 0,
  lease_expires_at  timestamptz,
  worker_id         text        NOT NULL DEFAULT '' CHECK (length(worker_id) <= 128),
  -- The LeaseJob request that took the current lease: its retry gets the
  -- same assignment back instead of a second job.
  lease_request_id  uuid,
  lease_credential  uuid,
  attempt           integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  max_attempts      integer     NOT NULL CHECK (max_attempts BETWEEN 1 AND 10),
  progress_percent  integer     NOT NULL DEFAULT 0 CHECK (progress_percent BETWEEN 0 AND 100),
  stage             text        NOT NULL DEFAULT '' CHECK (length(stage) <= 32),
  failure_code      smallint    NOT NULL DEFAULT 0,
  failure_message   text        NOT NULL DEFAULT '' CHECK (length(failure_message) <= 500),
  -- A serialized clipforge.v1.JobOutputs once completed.
  outputs           bytea,
  -- The Prompt Party whose render request created the job (none yet).
  party_id          uuid,
  created_at        timestamptz NOT NULL,
  started_at        timestamptz,
  finished_at       timestamptz,
  updated_at        timestamptz NOT NULL,
  -- Bumped by every change; WatchJob compares it.
  version           bigint      NOT NULL DEFAULT 1,
  UNIQUE (user_id, request_id)
);

-- The queue's head: the smallest tag, oldest first, among queued jobs.
CREATE INDEX jobs_queue ON generation.jobs (queue_tag, job_id) WHERE status = 1;
-- Leases to expire.
CREATE INDEX jobs_leases ON generation.jobs (lease_expires_at) WHERE status = 3;
-- A user's jobs, newest first (ListJobs) and their unfinished ones (quota).
CREATE INDEX jobs_by_user ON generation.jobs (user_id, job_id DESC);
-- A worker's retried LeaseJob.
CREATE INDEX jobs_by_lease_request ON generation.jobs (lease_request_id) WHERE status = 3;
-- Completed outputs by fingerprint, for reuse.
CREATE INDEX jobs_by_fingerprint ON generation.jobs (fingerprint) WHERE status = 4;

-- Blobs a worker uploaded under a lease, which CompleteJob may name.
CREATE TABLE generation.job_uploads (
  job_id       uuid     NOT NULL REFERENCES generation.jobs ON DELETE CASCADE,
  lease_epoch  bigint   NOT NULL,
  variant      smallint NOT NULL CHECK (variant BETWEEN 1 AND 4),
  sha256       text     NOT NULL CHECK (length(sha256) = 64),
  content_type text     NOT NULL CHECK (length(content_type) <= 100),
  size_bytes   bigint   NOT NULL CHECK (size_bytes >= 0),
  PRIMARY KEY (job_id, lease_epoch, variant)
);

-- Worker credentials: "cfw_<id>_<secret>"; only the secret's SHA-256 is
-- kept.
CREATE TABLE generation.worker_credentials (
  credential_id uuid        PRIMARY KEY,
  name          text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
  secret_sha256 bytea       NOT NULL CHECK (length(secret_sha256) = 32),
  created_at    timestamptz NOT NULL,
  revoked_at    timestamptz
);

-- A retried change (same caller and request_id) replays its outcome
-- (kit/pg_idempotency.h): CancelJob, DeleteJob and the worker calls.
CREATE TABLE generation.idempotency (
  caller_id    uuid        NOT NULL,
  request_id   uuid        NOT NULL,
  method       text        NOT NULL,
  fingerprint  text        NOT NULL,
  response     bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller_id, request_id)
);
CREATE INDEX idempotency_created ON generation.idempotency (caller_id, created_at);
