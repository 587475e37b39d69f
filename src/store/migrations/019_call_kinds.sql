-- Issue 26: a call's kind is stored as itself, and `calls` is rebuilt one last time.
--
-- Until now a call-back search was told apart by a `call_sid` starting with `CB`, and a
-- good-morning alert by one starting with `GM` (its morning's id after it). Now `kind`
-- says what the call is (`domain::call::CallKind`: 'incoming', 'callback-search',
-- 'round'), and a round's row names its morning in `morning_id`; the ids are only ids.
--
-- `phase`, `outcome` and `kind` are plain TEXT without CHECK lists: the typed enums and
-- their one mapping in `store` are the check (an unknown word is read as an error,
-- `store::UnknownWord`), so a new phase, outcome or kind no longer needs a rebuild (as
-- 008, 014 and 016 did only to widen such a list).
CREATE TABLE calls_new (
    call_sid TEXT PRIMARY KEY,
    dialplan_number TEXT NOT NULL,
    from_number TEXT,
    caller_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    category TEXT,
    phase TEXT NOT NULL,
    ended_from TEXT,
    outcome TEXT,
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
    language TEXT,
    neighbourhood TEXT,
    kind TEXT NOT NULL DEFAULT 'incoming',
    -- A round's row: the morning the desk was alerted about.
    morning_id INTEGER REFERENCES round_mornings(id) ON DELETE SET NULL
) STRICT;
INSERT INTO calls_new (call_sid, dialplan_number, from_number, caller_id, category, phase, ended_from, outcome,
                       menu_rounds, attempts, started_at, search_started_at, ended_at, seq, anonymised_at,
                       erased_caller, menu_repeats, language, neighbourhood, kind, morning_id)
SELECT call_sid, dialplan_number, from_number, caller_id, category, phase, ended_from, outcome,
       menu_rounds, attempts, started_at, search_started_at, ended_at, seq, anonymised_at,
       erased_caller, menu_repeats, language, neighbourhood,
       CASE WHEN call_sid LIKE 'CB%' THEN 'callback-search' WHEN call_sid LIKE 'GM%' THEN 'round' ELSE 'incoming' END,
       CASE WHEN call_sid LIKE 'GM%'
            THEN (SELECT m.id FROM round_mornings m WHERE m.id = CAST(substr(call_sid, 3) AS INTEGER)) END
FROM calls;
DROP TABLE calls;
ALTER TABLE calls_new RENAME TO calls;
CREATE INDEX calls_by_start ON calls(started_at, call_sid, category, outcome, caller_id);
CREATE INDEX calls_open ON calls(ended_at) WHERE ended_at IS NULL;
CREATE INDEX calls_by_caller ON calls(caller_id);
CREATE INDEX calls_by_from ON calls(from_number, started_at);
CREATE INDEX calls_awaiting_bridge ON calls(ended_at) WHERE phase = 'connected' AND ended_at IS NOT NULL;
-- So that a morning's going (`ON DELETE SET NULL`) finds its row without a scan.
CREATE INDEX calls_by_morning ON calls(morning_id) WHERE morning_id IS NOT NULL;
