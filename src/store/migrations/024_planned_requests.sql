-- Help for later (issue 28): a request for a later day and hour ("a lift to the hospital
-- on Tuesday at ten"), and every call the switchboard makes about it: asking neighbours
-- one at a time, telling the requester. Every call is a row before it is asked of the
-- provider, so a restart loses no request and rings nobody twice.
--
-- `status`, `purpose` and `result` are plain TEXT without CHECK lists: the enums of
-- `domain::planned` and their one mapping are the check (`store::UnknownWord`).
CREATE TABLE planned_requests (
    id INTEGER PRIMARY KEY,
    -- The neighbourhood (a dialplan's key) and the number whose dialplan it follows.
    neighbourhood TEXT NOT NULL,
    dialplan_number TEXT NOT NULL,
    category TEXT NOT NULL,
    -- The help's local time in the neighbourhood's zone ('YYYY-MM-DDTHH:MM:SS'), and
    -- the same moment in seconds; after `cutoff_at` nobody is asked any more.
    at TEXT NOT NULL,
    at_ts INTEGER NOT NULL,
    cutoff_at INTEGER NOT NULL,
    requester_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    helper_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    -- A short note by whoever took the request (for the desk; never spoken).
    note TEXT,
    -- `domain::planned::Status`.
    status TEXT NOT NULL,
    -- How the helper was found: 'phone' (said yes when asked) or 'desk' (by hand).
    matched_by TEXT,
    -- Who took the request: 'desk' (the desk's pages or the command line).
    taken_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    decided_at INTEGER
) STRICT;
CREATE INDEX planned_requests_open ON planned_requests(at_ts) WHERE status IN ('asking', 'matched', 'confirmed');

-- Every call made about a planned request.
CREATE TABLE planned_calls (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES planned_requests(id) ON DELETE CASCADE,
    -- `domain::planned::Purpose`.
    purpose TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    -- When it was asked of the provider: once, never again.
    placed_at INTEGER,
    leg_sid TEXT,
    key TEXT,
    -- `domain::planned::CallResult`.
    result TEXT,
    ended_at INTEGER,
    -- The documents sent when it was picked up and after its key: a repeated request
    -- gets the same one.
    answer_document TEXT,
    key_document TEXT
) STRICT;
-- Each neighbour is asked at most once per request.
CREATE UNIQUE INDEX planned_calls_asked_once ON planned_calls(request_id, participant_id) WHERE purpose = 'ask';
CREATE INDEX planned_calls_by_request ON planned_calls(request_id);
CREATE INDEX planned_calls_open ON planned_calls(placed_at) WHERE result IS NULL;

-- The desk's follow-up of a planned request: its `calls` row (kind 'planned').
ALTER TABLE calls ADD COLUMN planned_id INTEGER REFERENCES planned_requests(id) ON DELETE SET NULL;
