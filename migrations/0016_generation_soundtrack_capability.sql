-- A job with a soundtrack needs a worker that muxes one: "soundtrack" joins
-- the kinds a job records, so a job can need five.
SET LOCAL ROLE cf_generation;

ALTER TABLE generation.jobs
  DROP CONSTRAINT jobs_effects_check,
  ADD CONSTRAINT jobs_effects_check CHECK (cardinality(effects) <= 5);
