-- Help for later (issue 28): "where to", said by the requester after the read-back, in a
-- recording of at most 20 seconds. It belongs to the request; the provider's copy is
-- fetched into `audio` (a provider job, `fetch-where-to`) and then deleted there. The row
-- goes when the request is over, with the requester on erase, and by retention.
-- `token` names it in the URL the provider fetches to play it to a helper who is asked.
CREATE TABLE planned_where (
    request_id INTEGER PRIMARY KEY REFERENCES planned_requests(id) ON DELETE CASCADE,
    recording_url TEXT NOT NULL,
    duration_seconds INTEGER NOT NULL,
    token TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    content_type TEXT,
    fetched_at INTEGER,
    audio BLOB
) STRICT;
-- The call a request was taken on by phone: its "where to" comes in a later webhook.
ALTER TABLE planned_requests ADD COLUMN taken_on_call TEXT;
CREATE INDEX planned_requests_by_call ON planned_requests(taken_on_call) WHERE taken_on_call IS NOT NULL;

-- The provider jobs learn one more kind, `fetch-where-to` (SQLite cannot change a CHECK:
-- the table is rebuilt as it was, with the new kind allowed).
CREATE TABLE provider_jobs_new (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('fetch-recording', 'fetch-where-to', 'delete-recording', 'delete-call')),
    -- What the provider knows it by: a recording's URL as its webhook gave it, or a CallSid.
    target TEXT NOT NULL,
    -- The call whose voicemail a fetch is for.
    call_sid TEXT,
    created_at INTEGER NOT NULL,
    next_try_at INTEGER NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (kind, target),
    CHECK (kind <> 'fetch-recording' OR call_sid IS NOT NULL)
) STRICT;
INSERT INTO provider_jobs_new (id, kind, target, call_sid, created_at, next_try_at, tries, last_error)
    SELECT id, kind, target, call_sid, created_at, next_try_at, tries, last_error FROM provider_jobs;
DROP TABLE provider_jobs;
ALTER TABLE provider_jobs_new RENAME TO provider_jobs;
CREATE INDEX provider_jobs_due ON provider_jobs(next_try_at);
CREATE INDEX provider_jobs_by_call ON provider_jobs(call_sid) WHERE call_sid IS NOT NULL;
