-- Issue 29: "Niet bereikt" takes an optional note ("dochter nam op, na 15 uur bellen"),
-- kept with the try and shown with the tries. Erasing or anonymising the caller empties it,
-- as it does the follow-up's own note.
ALTER TABLE follow_up_steps ADD COLUMN note TEXT NOT NULL DEFAULT '';
