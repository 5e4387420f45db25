-- The moderation audit log: every moderation change (rules, policies, and
-- later decisions, appeals, banks) as an append-only, hash-chained entry
-- (moderation/audit_chain.h). Owned by cf_moderation.

SET LOCAL ROLE cf_moderation;

CREATE TABLE moderation.audit_log (
  sequence          bigint   PRIMARY KEY CHECK (sequence > 0),
  actor_kind        smallint NOT NULL,
  actor_id          text     NOT NULL CHECK (length(actor_id) <= 64),
  actor_roles       integer  NOT NULL,
  action            text     NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
  target_kind       smallint NOT NULL,
  target_id         text     NOT NULL CHECK (length(target_id) <= 64),
  object_id         text     NOT NULL CHECK (length(object_id) <= 64),
  details_json      text     NOT NULL CHECK (octet_length(details_json) <= 8192),
  -- Exactly the microseconds that were hashed (a timestamptz would be
  -- read back through time zone and rounding rules).
  created_at_micros bigint   NOT NULL,
  prev_hash         bytea    NOT NULL CHECK (length(prev_hash) = 32),
  entry_hash        bytea    NOT NULL CHECK (length(entry_hash) = 32)
);
CREATE INDEX audit_log_by_actor ON moderation.audit_log (actor_id, sequence);
CREATE INDEX audit_log_by_target ON moderation.audit_log (target_kind, target_id, sequence) WHERE target_kind <> 0;

-- The chain's head: locked by every append, so entries get consecutive
-- sequences in commit order.
CREATE TABLE moderation.audit_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  sequence  bigint  NOT NULL,
  hash      bytea   NOT NULL CHECK (length(hash) = 32)
);
INSERT INTO moderation.audit_head (singleton, sequence, hash) VALUES (true, 0, decode(repeat('00', 32), 'hex'));

-- Entries are never changed or removed by the service. (The table's owner
-- could drop these triggers; the hash chain shows what anyone changed.)
CREATE FUNCTION moderation.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'moderation.audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON moderation.audit_log
  FOR EACH ROW EXECUTE FUNCTION moderation.audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON moderation.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION moderation.audit_log_is_append_only();
