-- Erasing a person keeps the anonymous totals: their calls and the calls they helped with
-- keep a number that stands for "one and the same person" without saying who, so the
-- figures still count different residents helped and different neighbours who helped.
ALTER TABLE calls ADD COLUMN erased_caller INTEGER;
ALTER TABLE matches ADD COLUMN erased_helper INTEGER;
