-- Issue 27: the slow line. A participant who needs it hears every menu twice, with a
-- pause before each choice and a longer wait for a key (`domain::call::slow`). Set at the
-- desk, in the CSV (`slow_line`) and by phone (8, "andere keuzes", 7).
ALTER TABLE participants ADD COLUMN slow_line INTEGER NOT NULL DEFAULT 0;
