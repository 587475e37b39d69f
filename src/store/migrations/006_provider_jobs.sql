-- What the provider keeps (issue 12). A voicemail is fetched into this database and only
-- then deleted at the provider; when a call is anonymised or its caller erased, its
-- recording and its call records (the caller's and each helper leg's) are deleted at the
-- provider too. Every such request is a durable job, retried until the provider says done.

-- The local copy of a voicemail: in the database itself, so `burenlijn backup` (SQLite's
-- online backup) holds it, and the transaction that erases or anonymises a call removes it
-- (here or through the cascade when its voicemail row goes).
CREATE TABLE recordings (
    call_sid TEXT PRIMARY KEY REFERENCES voicemails(call_sid) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    fetched_at INTEGER NOT NULL,
    audio BLOB NOT NULL
) STRICT;

-- Requests to the provider that must happen, even across restarts and outages.
CREATE TABLE provider_jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('fetch-recording', 'delete-recording', 'delete-call')),
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
CREATE INDEX provider_jobs_due ON provider_jobs(next_try_at);
CREATE INDEX provider_jobs_by_call ON provider_jobs(call_sid) WHERE call_sid IS NOT NULL;

-- Voicemails left before this migration are fetched (and then deleted at the provider) too.
INSERT OR IGNORE INTO provider_jobs (kind, target, call_sid, created_at, next_try_at)
    SELECT 'fetch-recording', recording_url, call_sid, created_at, created_at FROM voicemails;
