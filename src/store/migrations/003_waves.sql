-- Ringing in waves: the caller waits on hold while the service rings helpers itself
-- through the provider's REST API. The caller's call keeps its row in `calls` (phase
-- 'ringing' while searching, 'connected' once someone said yes); each helper's outbound
-- leg also has its row in `attempts`, so "busy", the call log and the figures stay as
-- they are.

-- One search per call held in waves.
CREATE TABLE wave_searches (
    call_sid TEXT PRIMARY KEY REFERENCES calls(call_sid) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('searching', 'matched', 'over')),
    -- The attempt that won; set exactly when the search is matched.
    winner_attempt INTEGER,
    started_at INTEGER NOT NULL,
    CHECK ((status = 'matched') = (winner_attempt IS NOT NULL))
) STRICT;

-- Each helper's outbound leg.
CREATE TABLE wave_legs (
    call_sid TEXT NOT NULL REFERENCES wave_searches(call_sid) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    helper_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    -- The provider's CallSid of the leg, once the REST API has answered.
    leg_sid TEXT,
    status TEXT NOT NULL CHECK (status IN ('ringing', 'answered', 'accepted', 'late', 'declined', 'no-answer', 'busy', 'failed', 'canceled')),
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    PRIMARY KEY (call_sid, attempt),
    FOREIGN KEY (call_sid, attempt) REFERENCES attempts(call_sid, attempt) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX wave_legs_by_sid ON wave_legs(leg_sid) WHERE leg_sid IS NOT NULL;
-- Two yeses for one call can never both win: at most one accepted leg per call.
CREATE UNIQUE INDEX one_yes_per_call ON wave_legs(call_sid) WHERE status = 'accepted';
CREATE INDEX wave_legs_open ON wave_legs(call_sid) WHERE status IN ('ringing', 'answered');
