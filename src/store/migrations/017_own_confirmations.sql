-- Changes a participant makes to their own availability by phone (issue 25). Caller ID can
-- be spoofed, so a change asked for on a call from their number is only kept here until it
-- is confirmed: the switchboard calls the register's number back and the person presses 1
-- ('confirmed', applied in that transaction). Without the REST API it goes to the desk
-- ('desk', with a follow-up on the call it was asked in).
CREATE TABLE own_confirmations (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    -- The call it was asked in.
    call_sid TEXT REFERENCES calls(call_sid) ON DELETE SET NULL,
    dialplan_number TEXT NOT NULL,
    -- `domain::own::Change::stored`: the kind, and for a week's pause the first day back.
    change TEXT NOT NULL CHECK (change IN ('pause-until', 'pause', 'resume', 'round-pause', 'round-resume')),
    back_on TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'calling', 'no-key', 'confirmed', 'declined', 'expired',
                                           'replaced', 'failed', 'desk')),
    asked_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    placed_at INTEGER,
    -- The call back's CallSid, so its webhooks can be checked.
    leg_sid TEXT,
    -- The number of the latest document sent on the call back (its key webhooks carry it).
    seq INTEGER NOT NULL DEFAULT 0,
    decided_at INTEGER
) STRICT;
CREATE INDEX own_confirmations_open ON own_confirmations(participant_id) WHERE status IN ('pending', 'calling', 'no-key');
CREATE INDEX own_confirmations_by_call ON own_confirmations(call_sid);

-- Every document sent on a call back, so a repeated request gets the same one.
CREATE TABLE own_confirmation_documents (
    confirmation_id INTEGER NOT NULL REFERENCES own_confirmations(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (confirmation_id, seq)
) STRICT;
