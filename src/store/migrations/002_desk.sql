-- The desk: accounts, sessions, the audit log, notes, "do not pair" and follow-up results.

CREATE TABLE desk_users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('desk', 'coordinator')),
    -- argon2id, in the PHC string format.
    password_hash TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
    created_at INTEGER NOT NULL,
    disabled_at INTEGER
) STRICT;

-- Only a hash of the session token is kept: a copy of the database opens no sessions.
CREATE TABLE desk_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES desk_users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX desk_sessions_by_user ON desk_sessions(user_id);

-- Every view and change of a participant's data, and every change of accounts.
-- No foreign key: the entry outlives an erased participant (and holds no personal data).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user_name TEXT NOT NULL,
    action TEXT NOT NULL,
    participant_id INTEGER,
    detail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_by_participant ON audit_log(participant_id);

-- Notes about a person, for the next coordinator: a registered participant, or a caller
-- known only by number.
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
    phone TEXT,
    call_sid TEXT REFERENCES calls(call_sid) ON DELETE SET NULL,
    author TEXT NOT NULL,
    at INTEGER NOT NULL,
    text TEXT NOT NULL,
    CHECK (participant_id IS NOT NULL OR phone IS NOT NULL)
) STRICT;
CREATE INDEX notes_by_participant ON notes(participant_id);
CREATE INDEX notes_by_phone ON notes(phone);

-- Two people who are never paired: a silent no, in both directions.
CREATE TABLE do_not_pair (
    a INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    b INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
) STRICT;
CREATE INDEX do_not_pair_by_b ON do_not_pair(b);

ALTER TABLE follow_ups ADD COLUMN closed_by TEXT;
CREATE INDEX follow_ups_open ON follow_ups(created_at) WHERE closed_at IS NULL;

-- The call log pages, filtered and paged on a million calls; the figures read a month of
-- calls from this index alone.
DROP INDEX calls_by_start;
CREATE INDEX calls_by_start ON calls(started_at, call_sid, category, outcome, caller_id);
CREATE INDEX calls_by_caller ON calls(caller_id);
CREATE INDEX calls_by_from ON calls(from_number, started_at);
CREATE INDEX attempts_by_call_helper ON attempts(helper_id, call_sid);

-- Bumped whenever an attempt gets its result, so the store can keep what it learned from
-- the history (who tends to say yes when) in memory until something new happened.
CREATE TABLE history_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT INTO history_version (id, version) VALUES (1, 0);
CREATE TRIGGER attempt_result_set AFTER UPDATE OF result ON attempts WHEN new.result IS NOT old.result
    BEGIN UPDATE history_version SET version = version + 1; END;
CREATE INDEX participants_by_last_asked ON participants(last_asked_at);
