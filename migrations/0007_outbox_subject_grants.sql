-- Each service may append only its own events to the outbox: a bug or a
-- compromised service must not be able to publish another's events (a fake
-- "clipforge.tip.sent" from the feed, a "clipforge.user.deleted" from the
-- party service). bus.subject_grants says which role may insert which
-- subject prefix; a trigger refuses the rest with SQLSTATE 42501
-- (insufficient_privilege). A service that adds a family of subjects adds
-- its row here, in its own migration.
CREATE TABLE bus.subject_grants (
  role_name text NOT NULL,
  prefix    text NOT NULL CHECK (prefix LIKE 'clipforge.%.'),
  PRIMARY KEY (role_name, prefix)
);
ALTER TABLE bus.subject_grants OWNER TO cf_bus;

INSERT INTO bus.subject_grants (role_name, prefix) VALUES
  ('cf_users', 'clipforge.user.'),
  ('cf_generation', 'clipforge.generation.'),
  ('cf_clips', 'clipforge.clip.'),
  ('cf_feed', 'clipforge.feed.'),
  ('cf_tipping', 'clipforge.tip.'),
  ('cf_moderation', 'clipforge.moderation.'),
  ('cf_party', 'clipforge.party.');

-- The producers read the grants through the check (it runs as them: a
-- SECURITY DEFINER function would see its owner as current_user).
DO $$
DECLARE
  producer text;
BEGIN
  FOR producer IN SELECT DISTINCT role_name FROM bus.subject_grants LOOP
    EXECUTE format('GRANT SELECT ON bus.subject_grants TO %I', producer);
  END LOOP;
END
$$;

-- current_user is the service role after the pool's SET ROLE, or a login
-- role that is a member of it (one login role per service); superusers
-- (migrations, operators) are members of every role.
CREATE FUNCTION bus.check_outbox_subject() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM bus.subject_grants g
                 WHERE starts_with(NEW.subject, g.prefix)
                   AND pg_has_role(current_user, g.role_name, 'MEMBER')) THEN
    RAISE EXCEPTION 'role % may not publish subject %', current_user, NEW.subject
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
ALTER FUNCTION bus.check_outbox_subject() OWNER TO cf_bus;

CREATE TRIGGER outbox_subject_check BEFORE INSERT ON bus.outbox
  FOR EACH ROW EXECUTE FUNCTION bus.check_outbox_subject();
