-- Dial mode: the provider's CallSid of the helper's leg (the child call of the caller's
-- `<Dial>`), so that anonymising a call or erasing a person deletes that call record at
-- the provider too (issue 12). Waves keep theirs in `wave_legs.leg_sid`.
ALTER TABLE attempts ADD COLUMN leg_sid TEXT;
