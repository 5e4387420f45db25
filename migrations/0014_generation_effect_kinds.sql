-- The effect kinds each job needs a worker to apply ("text", "sticker",
-- "color_grade", "speed"): a leasing worker's announced effects must cover
-- them. Jobs created before this column need none, which is true of the
-- kinds every earlier worker applied.
SET LOCAL ROLE cf_generation;

ALTER TABLE generation.jobs
  ADD COLUMN effects text[] NOT NULL DEFAULT '{}' CHECK (cardinality(effects) <= 4);
