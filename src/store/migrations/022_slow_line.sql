-- Issue 27: the slow line. A participant who needs it hears every menu twice, with a
-- pause before each choice and a longer wait for a key (`domain::call::slow`). Set at the
-- desk, in the CSV (`slow_line`) and by phone (8, "andere keuzes", 7).
ALTER TABLE participants ADD COLUMN slow_line INTEGER NOT NULL DEFAULT 0;

-- The slow line is asked for by phone like a pause (`Change::SlowLine`, stored as
-- 'slow-line-on' and 'slow-line-off'), so `own_confirmations.change` loses its CHECK list:
-- the typed `Change` and its one mapping (`Change::stored`, `from_stored`) are the check,
-- and an unknown word is read as an error (`store::confirmations::finish`), as for `calls`
-- since 019. Rebuilt with foreign keys off (`store::open`) and checked after.
CREATE TABLE own_confirmations_new (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    call_sid TEXT REFERENCES calls(call_sid) ON DELETE SET NULL,
    dialplan_number TEXT NOT NULL,
    change TEXT NOT NULL,
    back_on TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'calling', 'no-key', 'confirmed', 'declined', 'expired',
                                           'replaced', 'failed', 'desk')),
    asked_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    placed_at INTEGER,
    leg_sid TEXT,
    seq INTEGER NOT NULL DEFAULT 0,
    decided_at INTEGER
) STRICT;
INSERT INTO own_confirmations_new (id, participant_id, call_sid, dialplan_number, change, back_on, status, asked_at,
                                   expires_at, placed_at, leg_sid, seq, decided_at)
SELECT id, participant_id, call_sid, dialplan_number, change, back_on, status, asked_at,
       expires_at, placed_at, leg_sid, seq, decided_at
FROM own_confirmations;
DROP TABLE own_confirmations;
ALTER TABLE own_confirmations_new RENAME TO own_confirmations;
CREATE INDEX own_confirmations_open ON own_confirmations(participant_id) WHERE status IN ('pending', 'calling', 'no-key');
CREATE INDEX own_confirmations_by_call ON own_confirmations(call_sid);
