-- The follow-up page as a work queue: a call back that reached nobody is counted and
-- tried again on a chosen day, a follow-up may be assigned to a coordinator, and every
-- step is kept for the person's history.
ALTER TABLE follow_ups ADD COLUMN tries INTEGER NOT NULL DEFAULT 0;
-- A date (YYYY-MM-DD) in the desk's time zone.
ALTER TABLE follow_ups ADD COLUMN try_again_on TEXT;
ALTER TABLE follow_ups ADD COLUMN assigned_to INTEGER REFERENCES desk_users(id);

CREATE TABLE follow_up_steps (
    id INTEGER PRIMARY KEY,
    follow_up_id INTEGER NOT NULL REFERENCES follow_ups(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    user_name TEXT NOT NULL,
    step TEXT NOT NULL CHECK (step IN ('not-reached', 'assigned', 'unassigned', 'reopened', 'closed')),
    detail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX follow_up_steps_by_follow_up ON follow_up_steps(follow_up_id, at);
