-- Issue 27, "a say over who comes": a resident's wishes and the desk's marks.
--
-- `helpers_from`: helpers from near by ('near'), further away ('not-own-street') or either
-- ('any'), the words of a helper's own `distance`. `street_said`: 'always', or 'after-yes'
-- (a helper hears "iemand uit de buurt" until they press 1). `desk_only`: set by a
-- coordinator, their requests go to the desk's follow-up queue. `experienced`: the kinds of
-- help the desk marked them as experienced in, keys separated by ';' (like `offers`).
-- Plain TEXT without CHECK lists: `domain::participant` maps each word once, and an
-- unknown word is read as an error (`store::UnknownWord`).
ALTER TABLE participants ADD COLUMN helpers_from TEXT NOT NULL DEFAULT 'any';
ALTER TABLE participants ADD COLUMN street_said TEXT NOT NULL DEFAULT 'always';
ALTER TABLE participants ADD COLUMN desk_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN experienced TEXT NOT NULL DEFAULT '';
