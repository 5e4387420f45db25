-- Teen accounts. Owned by cf_users.
--
-- A sign-up may give a birth date; under 13 is refused, 13 to 17 opens a
-- teen account, which can never opt in to analytics or personalization.
-- The birth date itself is not kept (data minimisation): only the instant
-- a teen account becomes an adult's, 00:00 UTC on the first day of the
-- month after the 18th birthday (the birth month, not the day). NULL
-- for adults and for sign-ups without a birth date; past instants stay (the
-- account is an adult's from then on).

SET LOCAL ROLE cf_users;

ALTER TABLE users.accounts
  ADD COLUMN adult_at timestamptz;
