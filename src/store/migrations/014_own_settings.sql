-- A participant's own settings by phone (issue 15): a call can be in its own settings
-- ('settings') or recording a message for the desk ('message'), and can end as one
-- ('settings': no request for help; 'message': a word for the desk, followed up).
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt as in 008.
CREATE TABLE calls_new (
    call_sid TEXT PRIMARY KEY,
    dialplan_number TEXT NOT NULL,
    from_number TEXT,
    caller_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    category TEXT,
    phase TEXT NOT NULL CHECK (phase IN ('menu', 'ringing', 'connected', 'desk', 'voicemail', 'settings', 'message', 'ended')),
    ended_from TEXT,
    outcome TEXT CHECK (outcome IN ('matched', 'unmatched', 'desk', 'voicemail', 'abandoned', 'unconfirmed', 'settings', 'message')),
    menu_rounds INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL,
    search_started_at INTEGER,
    ended_at INTEGER,
    -- The sequence number of the latest document sent for this call.
    seq INTEGER NOT NULL,
    -- When numbers, names and recordings of this call were removed (retention).
    anonymised_at INTEGER,
    erased_caller INTEGER,
    menu_repeats INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO calls_new (call_sid, dialplan_number, from_number, caller_id, category, phase, ended_from, outcome,
                       menu_rounds, attempts, started_at, search_started_at, ended_at, seq, anonymised_at,
                       erased_caller, menu_repeats)
SELECT call_sid, dialplan_number, from_number, caller_id, category, phase, ended_from, outcome,
       menu_rounds, attempts, started_at, search_started_at, ended_at, seq, anonymised_at,
       erased_caller, menu_repeats
FROM calls;
DROP TABLE calls;
ALTER TABLE calls_new RENAME TO calls;
CREATE INDEX calls_by_start ON calls(started_at, call_sid, category, outcome, caller_id);
CREATE INDEX calls_open ON calls(ended_at) WHERE ended_at IS NULL;
CREATE INDEX calls_by_caller ON calls(caller_id);
CREATE INDEX calls_by_from ON calls(from_number, started_at);
CREATE INDEX calls_awaiting_bridge ON calls(ended_at) WHERE phase = 'connected' AND ended_at IS NOT NULL;

-- A message from a neighbour is about the call they most recently helped with (within
-- seven days), when there is one.
ALTER TABLE follow_ups ADD COLUMN about_call TEXT REFERENCES calls(call_sid) ON DELETE SET NULL;
