-- Ringing in waves: who actually entered which conference, from the provider's conference
-- status callbacks (participant-join). A helper who said yes and enters a conference that
-- is not the caller's (the caller hung up in the moment between the yes and the join) is
-- told so and let go, instead of waiting on a silent line.

-- The caller's own conference, once the caller has entered it.
ALTER TABLE wave_searches ADD COLUMN conference_sid TEXT;
-- When the winning yes was given (seconds since the epoch).
ALTER TABLE wave_searches ADD COLUMN won_at INTEGER;
-- When the search ended without a yes.
ALTER TABLE wave_searches ADD COLUMN over_at INTEGER;
-- The conference a helper's leg entered.
ALTER TABLE wave_legs ADD COLUMN conference_sid TEXT;

-- The desk's figures count a call whose caller was called back and helped as matched.
CREATE INDEX open_requests_by_call ON open_requests(call_sid) WHERE call_sid IS NOT NULL;
