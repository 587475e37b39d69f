-- A yes the provider never reported reaching the caller (every report from the yes to the
-- end of the call was lost) is not counted as a match: the call ends 'unconfirmed', and the
-- desk checks with the caller (issue 12). SQLite cannot change a CHECK constraint in
-- place, so the table is rebuilt as sqlite.org/lang_altertable.html ("Making Other Kinds
-- Of Table Schema Changes") describes, with foreign keys off around the migrations
-- (`Store::open_with`) and checked afterwards (`M::foreign_key_check`).
CREATE TABLE calls_new (
    call_sid TEXT PRIMARY KEY,
    dialplan_number TEXT NOT NULL,
    from_number TEXT,
    caller_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    category TEXT,
    phase TEXT NOT NULL CHECK (phase IN ('menu', 'ringing', 'connected', 'desk', 'voicemail', 'ended')),
    ended_from TEXT,
    outcome TEXT CHECK (outcome IN ('matched', 'unmatched', 'desk', 'voicemail', 'abandoned', 'unconfirmed')),
    menu_rounds INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL,
    search_started_at INTEGER,
    ended_at INTEGER,
    -- The sequence number of the latest document sent for this call.
    seq INTEGER NOT NULL,
    -- When numbers, names and recordings of this call were removed (retention).
    anonymised_at INTEGER
) STRICT;
INSERT INTO calls_new (call_sid, dialplan_number, from_number, caller_id, category, phase, ended_from, outcome,
                       menu_rounds, attempts, started_at, search_started_at, ended_at, seq, anonymised_at)
SELECT call_sid, dialplan_number, from_number, caller_id, category, phase, ended_from, outcome,
       menu_rounds, attempts, started_at, search_started_at, ended_at, seq, anonymised_at
FROM calls;
DROP TABLE calls;
ALTER TABLE calls_new RENAME TO calls;
CREATE INDEX calls_by_start ON calls(started_at, call_sid, category, outcome, caller_id);
CREATE INDEX calls_open ON calls(ended_at) WHERE ended_at IS NULL;
CREATE INDEX calls_by_caller ON calls(caller_id);
CREATE INDEX calls_by_from ON calls(from_number, started_at);
-- `dial` mode: a caller's end came while connected, after a yes stored before the service
-- last started; the call waits for the `<Dial>` action that says whether they were bridged.
CREATE INDEX calls_awaiting_bridge ON calls(ended_at) WHERE phase = 'connected' AND ended_at IS NOT NULL;
