-- Wake the relay when events commit instead of having it poll. While the
-- relay sleeps it holds advisory lock 'cf-sleep' exclusively (on its
-- listening connection); an insert into bus.outbox then cannot take it
-- shared and notifies channel `cf_outbox` instead, which Postgres delivers
-- at commit (none for a rolled-back transaction, one for all of a
-- transaction's events).
--
-- While the relay is awake, inserts take the lock shared until commit and
-- do not notify: a notifying commit serializes with every other notifying
-- commit through its WAL flush (Postgres's notify queue lock), which would
-- cap producers' throughput under load exactly when the relay needs no
-- waking. The relay goes to sleep only with pg_try_advisory_lock, which
-- fails while any producer transaction still holds the lock shared, and
-- claims once more after taking it, so no commit is left unseen. It still
-- polls slowly as a fallback (its listening connection down).
CREATE FUNCTION bus.notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock_shared(7162462231142425968) THEN
    PERFORM pg_notify('cf_outbox', '');
  END IF;
  RETURN NULL;
END
$$;
ALTER FUNCTION bus.notify_outbox() OWNER TO cf_bus;

CREATE TRIGGER outbox_notify AFTER INSERT ON bus.outbox
  FOR EACH STATEMENT EXECUTE FUNCTION bus.notify_outbox();
