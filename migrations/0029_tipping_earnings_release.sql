-- Earnings waiting for release: every tip leg that credits a user's pending
-- earnings (codes 2 and 3, tip_royalty and tip_creator) is listed here until
-- the transfer that releases it to available earnings (code 13, id
-- "<credit>/release") is stored. Kept by a statement-level trigger on
-- tipping.transfers, so the ledger writer's bulk insert of a batch costs one
-- trigger run, and the release job reads only what is still waiting instead
-- of scanning every transfer ever made. tipping.first_earnings keeps when
-- each pending-earnings account was first credited: new creators' earnings
-- wait longer (ledger/earnings_release.h).

SET LOCAL ROLE cf_tipping;

CREATE TABLE tipping.unreleased_earnings (
  transfer_id  text        PRIMARY KEY,
  account_id   text        NOT NULL,
  amount       bigint      NOT NULL CHECK (amount > 0),
  credited_at  timestamptz NOT NULL
);
CREATE INDEX unreleased_earnings_by_time ON tipping.unreleased_earnings (credited_at, transfer_id);

CREATE TABLE tipping.first_earnings (
  account_id       text        PRIMARY KEY,
  first_earned_at  timestamptz NOT NULL
);

CREATE FUNCTION tipping.track_earnings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tipping.first_earnings (account_id, first_earned_at)
    SELECT moved_credit_account_id, min(applied_at) FROM new_transfers
    WHERE moved_code IN (2, 3) AND moved_credit_account_id LIKE 'user\_earnings\_pending:%' AND NOT pending
    GROUP BY moved_credit_account_id
    ON CONFLICT (account_id) DO NOTHING;
  INSERT INTO tipping.unreleased_earnings (transfer_id, account_id, amount, credited_at)
    SELECT transfer_id, moved_credit_account_id, moved_amount, applied_at FROM new_transfers
    WHERE moved_code IN (2, 3) AND moved_credit_account_id LIKE 'user\_earnings\_pending:%' AND NOT pending;
  -- Only a batch with releases deletes, and then by key: a join of the
  -- whole waiting table against every batch would grow with the ledger.
  IF EXISTS (SELECT 1 FROM new_transfers WHERE moved_code = 13) THEN
    DELETE FROM tipping.unreleased_earnings
      WHERE transfer_id = ANY (ARRAY(SELECT left(transfer_id, length(transfer_id) - length('/release'))
                                     FROM new_transfers
                                     WHERE moved_code = 13 AND transfer_id LIKE '%/release'));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER transfers_track_earnings AFTER INSERT ON tipping.transfers
  REFERENCING NEW TABLE AS new_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION tipping.track_earnings();

-- What 0028's ledger already holds.
INSERT INTO tipping.first_earnings (account_id, first_earned_at)
  SELECT moved_credit_account_id, min(applied_at) FROM tipping.transfers
  WHERE moved_code IN (2, 3) AND moved_credit_account_id LIKE 'user\_earnings\_pending:%' AND NOT pending
  GROUP BY moved_credit_account_id;
INSERT INTO tipping.unreleased_earnings (transfer_id, account_id, amount, credited_at)
  SELECT t.transfer_id, t.moved_credit_account_id, t.moved_amount, t.applied_at FROM tipping.transfers t
  WHERE t.moved_code IN (2, 3) AND t.moved_credit_account_id LIKE 'user\_earnings\_pending:%' AND NOT t.pending
    AND NOT EXISTS (SELECT 1 FROM tipping.transfers r WHERE r.transfer_id = t.transfer_id || '/release');
