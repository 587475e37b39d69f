-- How often the caller pressed 9 to hear the menu again (it never counts as a wrong key).
ALTER TABLE calls ADD COLUMN menu_repeats INTEGER NOT NULL DEFAULT 0;
