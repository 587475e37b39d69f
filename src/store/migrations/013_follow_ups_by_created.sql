-- The figures count how the follow-ups opened in a period ended, from this index alone.
CREATE INDEX follow_ups_by_created ON follow_ups(created_at, result);
