-- The foundation: one schema and one role per service, and the bus outbox.
--
-- Roles are NOLOGIN: a deployment either gives each service its own login
-- role that is a member of exactly one of these, or connects with one login
-- role and lets each service's pool `SET ROLE` to its own (the local default).
-- Either way a service can touch only its schema, plus INSERT into bus.outbox.

DO $$
DECLARE
  svc text;
BEGIN
  FOREACH svc IN ARRAY ARRAY['users', 'generation', 'clips', 'feed', 'tipping',
                             'moderation', 'party', 'bus'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cf_' || svc) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', 'cf_' || svc);
    END IF;
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', svc, 'cf_' || svc);
    -- Members of the role may SET ROLE to it (the connecting login role).
    EXECUTE format('GRANT %I TO CURRENT_USER', 'cf_' || svc);
  END LOOP;
END
$$;

REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- The transactional outbox. `seq` orders events; it is assigned before
-- commit, so the relay claims by `published_at IS NULL`, never by `seq >`.
CREATE TABLE bus.outbox (
  seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id      uuid        NOT NULL UNIQUE,
  subject       text        NOT NULL CHECK (subject LIKE 'clipforge.%'),
  aggregate_id  text        NOT NULL,
  envelope      bytea       NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz
) WITH (
  -- Rows are inserted, updated once and deleted after the retention
  -- window: vacuum early so dead tuples never slow the claim.
  autovacuum_vacuum_scale_factor = 0.01,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_cost_delay = 0,
  fillfactor = 80
);
ALTER TABLE bus.outbox OWNER TO cf_bus;

CREATE INDEX outbox_unpublished ON bus.outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON bus.outbox (published_at) WHERE published_at IS NOT NULL;

-- Producers may only append.
DO $$
DECLARE
  svc text;
BEGIN
  FOREACH svc IN ARRAY ARRAY['users', 'generation', 'clips', 'feed', 'tipping',
                             'moderation', 'party'] LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA bus TO %I', 'cf_' || svc);
    EXECUTE format('GRANT INSERT ON bus.outbox TO %I', 'cf_' || svc);

    -- Every consuming service records applied event ids in its inbox (in the
    -- same transaction as the event's effects) and parks poison messages in
    -- its dead-letter table.
    EXECUTE format(
      'CREATE TABLE %I.inbox (
         consumer     text        NOT NULL,
         event_id     uuid        NOT NULL,
         processed_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (consumer, event_id))', svc);
    EXECUTE format(
      'CREATE TABLE %I.dead_letter (
         consumer   text        NOT NULL,
         event_id   text        NOT NULL,
         subject    text        NOT NULL,
         envelope   bytea       NOT NULL,
         error      text        NOT NULL,
         deliveries integer     NOT NULL,
         failed_at  timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (consumer, event_id))', svc);
    EXECUTE format('ALTER TABLE %I.inbox OWNER TO %I', svc, 'cf_' || svc);
    EXECUTE format('ALTER TABLE %I.dead_letter OWNER TO %I', svc, 'cf_' || svc);
  END LOOP;
END
$$;
