-- Help for later (issue 28): retention covers planned requests as it covers calls. A
-- request whose help and last change are older than the retention keeps what the figures
-- count (neighbourhood, kind of help, when, status, how it was matched, its calls' purposes
-- and results) and loses who asked, who helped, the note, and what its calls said;
-- `anonymised_at` says when.
ALTER TABLE planned_requests ADD COLUMN anonymised_at INTEGER;
CREATE INDEX planned_requests_to_anonymise ON planned_requests(at_ts) WHERE anonymised_at IS NULL;
