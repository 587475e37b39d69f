-- The good-morning round (issue 16): residents who live alone, called every morning at
-- their time; when nobody answers, their contacts one by one; then the desk.
--
-- When the desk is alerted (nobody confirmed, or the round could not be made), the morning
-- gets a `calls` row of its own (`GM…`, outcome 'round', like a call-back search's `CB…`),
-- so the follow-up queue, the timeline and the Now page show it like any call. A round is
-- not a request for help: the figures leave it out. SQLite cannot change a CHECK
-- constraint in place, so `calls` is rebuilt as in 014.
CREATE TABLE calls_new (
    call_sid TEXT PRIMARY KEY,
    dialplan_number TEXT NOT NULL,
    from_number TEXT,
    caller_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    category TEXT,
    phase TEXT NOT NULL CHECK (phase IN ('menu', 'ringing', 'connected', 'desk', 'voicemail', 'settings', 'message', 'ended')),
    ended_from TEXT,
    outcome TEXT CHECK (outcome IN ('matched', 'unmatched', 'desk', 'voicemail', 'abandoned', 'unconfirmed', 'settings', 'message', 'round')),
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
    menu_repeats INTEGER NOT NULL DEFAULT 0,
    language TEXT
) STRICT;
INSERT INTO calls_new (call_sid, dialplan_number, from_number, caller_id, category, phase, ended_from, outcome,
                       menu_rounds, attempts, started_at, search_started_at, ended_at, seq, anonymised_at,
                       erased_caller, menu_repeats, language)
SELECT call_sid, dialplan_number, from_number, caller_id, category, phase, ended_from, outcome,
       menu_rounds, attempts, started_at, search_started_at, ended_at, seq, anonymised_at,
       erased_caller, menu_repeats, language
FROM calls;
DROP TABLE calls;
ALTER TABLE calls_new RENAME TO calls;
CREATE INDEX calls_by_start ON calls(started_at, call_sid, category, outcome, caller_id);
CREATE INDEX calls_open ON calls(ended_at) WHERE ended_at IS NULL;
CREATE INDEX calls_by_caller ON calls(caller_id);
CREATE INDEX calls_by_from ON calls(from_number, started_at);
CREATE INDEX calls_awaiting_bridge ON calls(ended_at) WHERE phase = 'connected' AND ended_at IS NOT NULL;


-- An urgent follow-up (the round reached nobody) stands at the top of the queue.
ALTER TABLE follow_ups ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;

-- Who is in the round: a registered participant, their time and days, and the
-- neighbourhood whose number calls them.
CREATE TABLE round_residents (
    participant_id INTEGER PRIMARY KEY REFERENCES participants(id) ON DELETE CASCADE,
    neighbourhood TEXT NOT NULL,
    -- Local time 'HH:MM' in the neighbourhood's time zone.
    at TEXT NOT NULL,
    -- The days of the round, Monday = bit 0.
    days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),
    retry_minutes INTEGER NOT NULL DEFAULT 10 CHECK (retry_minutes BETWEEN 1 AND 120),
    tries INTEGER NOT NULL DEFAULT 3 CHECK (tries BETWEEN 1 AND 10),
    -- Away: no round from .. until (inclusive), 'YYYY-MM-DD'.
    away_from TEXT,
    away_until TEXT,
    -- No round until they call the line again (8 by phone) or the desk resumes it.
    paused INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Whom to call when the resident does not answer, in order: a participant, or a plain
-- number (a relative).
CREATE TABLE round_contacts (
    resident_id INTEGER NOT NULL REFERENCES round_residents(participant_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    phone TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
    PRIMARY KEY (resident_id, position)
) STRICT;

-- One morning of one resident: never two (UNIQUE), also across a crash.
CREATE TABLE round_mornings (
    id INTEGER PRIMARY KEY,
    resident_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    dialplan_number TEXT NOT NULL,
    -- `domain::round::Stage`: its name, its number (try or contact) and a time.
    stage TEXT NOT NULL CHECK (stage IN ('calling-resident', 'waiting', 'calling-contact', 'answered',
                                         'asked-for-help', 'confirmed', 'desk-alerted', 'missed')),
    stage_n INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    UNIQUE (resident_id, date)
) STRICT;
CREATE INDEX round_mornings_open ON round_mornings(stage) WHERE ended_at IS NULL;
CREATE INDEX round_mornings_by_start ON round_mornings(started_at);

-- Every call the round made: the resident's tries, the contacts, the desk phone.
CREATE TABLE round_calls (
    id INTEGER PRIMARY KEY,
    morning_id INTEGER NOT NULL REFERENCES round_mornings(id) ON DELETE CASCADE,
    who TEXT NOT NULL CHECK (who IN ('resident', 'contact', 'desk')),
    -- The resident's try (1-based), the contact's place (0-based), 0 for the desk.
    n INTEGER NOT NULL,
    phone TEXT,
    contact_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    leg_sid TEXT,
    placed_at INTEGER NOT NULL,
    key TEXT,
    result TEXT CHECK (result IN ('answered', 'asked-for-help', 'confirmed', 'declined', 'no-key', 'no-answer',
                                  'busy', 'failed', 'canceled', 'heard', 'never-reported')),
    ended_at INTEGER,
    UNIQUE (morning_id, who, n)
) STRICT;
CREATE INDEX round_calls_by_leg ON round_calls(leg_sid);
