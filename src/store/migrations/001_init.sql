-- Participants: neighbours who help, ask, or both.
CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT NOT NULL UNIQUE,
    available TEXT NOT NULL DEFAULT '',
    street TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    distance TEXT NOT NULL DEFAULT 'any' CHECK (distance IN ('any', 'near', 'not-own-street')),
    paused INTEGER NOT NULL DEFAULT 0,
    paused_until TEXT,
    -- The categories, ';'-separated, as in `offers` below (kept together by the store).
    offers TEXT NOT NULL DEFAULT '',
    -- When this participant was last rung for any call (for fair rotation).
    last_asked_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- The categories each participant helps with.
CREATE TABLE offers (
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    PRIMARY KEY (participant_id, category)
) STRICT;
CREATE INDEX offers_by_category ON offers(category);

-- Bumped by every change to the register (not by rotation bookkeeping), so the store can
-- keep the register in memory and know when to read it again.
CREATE TABLE registry_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT INTO registry_version (id, version) VALUES (1, 0);
CREATE TRIGGER participants_added AFTER INSERT ON participants
    BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER participants_removed AFTER DELETE ON participants
    BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER participants_changed
    AFTER UPDATE OF name, phone, available, street, postcode, distance, paused, paused_until, offers ON participants
    BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER offers_added AFTER INSERT ON offers
    BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER offers_removed AFTER DELETE ON offers
    BEGIN UPDATE registry_version SET version = version + 1; END;

-- One row per incoming call, holding the call flow's state between webhooks.
CREATE TABLE calls (
    call_sid TEXT PRIMARY KEY,
    dialplan_number TEXT NOT NULL,
    from_number TEXT,
    caller_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    category TEXT,
    phase TEXT NOT NULL CHECK (phase IN ('menu', 'ringing', 'connected', 'desk', 'voicemail', 'ended')),
    ended_from TEXT,
    outcome TEXT CHECK (outcome IN ('matched', 'unmatched', 'desk', 'voicemail', 'abandoned')),
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
CREATE INDEX calls_by_start ON calls(started_at);
CREATE INDEX calls_open ON calls(ended_at) WHERE ended_at IS NULL;

-- Each helper rung for a call, in order.
CREATE TABLE attempts (
    call_sid TEXT NOT NULL REFERENCES calls(call_sid) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    helper_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    helper_phone TEXT,
    helper_first_name TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    answered_at INTEGER,
    key TEXT,
    result TEXT CHECK (result IN ('accepted', 'declined', 'no-answer', 'busy', 'failed', 'canceled')),
    ended_at INTEGER,
    PRIMARY KEY (call_sid, attempt)
) STRICT;
CREATE INDEX attempts_by_helper ON attempts(helper_id, started_at);
-- Never two calls ringing (or talking to) the same helper at once.
CREATE UNIQUE INDEX one_open_attempt_per_helper ON attempts(helper_id) WHERE ended_at IS NULL;
CREATE INDEX attempts_by_start ON attempts(started_at);

-- A helper who said yes.
CREATE TABLE matches (
    call_sid TEXT PRIMARY KEY REFERENCES calls(call_sid) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    helper_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    caller_phone TEXT,
    category TEXT NOT NULL,
    accepted_at INTEGER NOT NULL,
    wait_seconds INTEGER NOT NULL
) STRICT;
CREATE INDEX matches_by_caller ON matches(caller_phone, category);

CREATE TABLE voicemails (
    call_sid TEXT PRIMARY KEY REFERENCES calls(call_sid) ON DELETE CASCADE,
    recording_url TEXT NOT NULL,
    duration_seconds INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Calls the desk should look at: nobody found, a message, a caller who hung up.
CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    call_sid TEXT NOT NULL UNIQUE REFERENCES calls(call_sid) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    closed_at INTEGER,
    result TEXT,
    note TEXT
) STRICT;

-- Documents already sent, so a retried webhook gets the same answer and changes nothing.
CREATE TABLE webhook_responses (
    call_sid TEXT NOT NULL REFERENCES calls(call_sid) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (call_sid, seq)
) STRICT;
