-- Issue 26 §5: one name for one thing. A call-back request was `open_requests` here,
-- `requests` on the command line and `callbacks` in the code; it is a call-back request
-- (`callback_requests`) everywhere now, and "request" is left for help asked for later.
-- RENAME TO carries the rows, the indexes and the foreign keys that point at the table;
-- the indexes get names that say the same.
ALTER TABLE open_requests RENAME TO callback_requests;
DROP INDEX open_requests_due;
CREATE INDEX callback_requests_due ON callback_requests(next_try_at) WHERE status = 'open';
DROP INDEX open_requests_by_search;
CREATE UNIQUE INDEX callback_requests_by_search ON callback_requests(search_sid) WHERE search_sid IS NOT NULL;
DROP INDEX open_requests_by_call;
CREATE INDEX callback_requests_by_call ON callback_requests(call_sid) WHERE call_sid IS NOT NULL;
