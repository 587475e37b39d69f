-- Call back later: a resident nobody could help asked to be called back as soon as a
-- neighbour can (or the desk started the same search). The request stays open until
-- `open_until`; the service tries again from `next_try_at`, inside the ringing hours.
CREATE TABLE open_requests (
    id INTEGER PRIMARY KEY,
    dialplan_number TEXT NOT NULL,
    -- The call in which the resident asked; NULL when the desk made the request.
    call_sid TEXT REFERENCES calls(call_sid) ON DELETE SET NULL,
    participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    phone TEXT,
    category TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'searching', 'calling', 'connected', 'unanswered', 'expired', 'closed')),
    created_at INTEGER NOT NULL,
    open_until INTEGER NOT NULL,
    next_try_at INTEGER NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    -- The search now running for it (a row in `calls` of its own, see store::callbacks).
    search_sid TEXT REFERENCES calls(call_sid) ON DELETE SET NULL,
    helper_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    resident_leg_sid TEXT,
    helper_leg_sid TEXT
) STRICT;
CREATE INDEX open_requests_due ON open_requests(next_try_at) WHERE status = 'open';
CREATE UNIQUE INDEX open_requests_by_search ON open_requests(search_sid) WHERE search_sid IS NOT NULL;
