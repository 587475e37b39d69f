-- Several neighbourhoods on one install (issue 14): every participant belongs to one or
-- more neighbourhoods, each a dialplan, named by its file name without `.toml`. Only a
-- neighbourhood's own participants are rung for calls on its number. Who belongs nowhere
-- yet (a database from before) is settled at start-up: with one dialplan they join it,
-- with several the service refuses to guess (`switchboard::memberships`).
CREATE TABLE memberships (
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    neighbourhood TEXT NOT NULL,
    PRIMARY KEY (participant_id, neighbourhood)
) STRICT;
CREATE INDEX memberships_by_neighbourhood ON memberships(neighbourhood, participant_id);
-- Who may be rung changes with them: the register kept in memory is read again.
CREATE TRIGGER memberships_added AFTER INSERT ON memberships
    BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER memberships_removed AFTER DELETE ON memberships
    BEGIN UPDATE registry_version SET version = version + 1; END;
-- A desk account may be limited to some neighbourhoods (a village's coordinator); one
-- without rows here sees them all (a regional coordinator).
CREATE TABLE desk_user_neighbourhoods (
    user_id INTEGER NOT NULL REFERENCES desk_users(id) ON DELETE CASCADE,
    neighbourhood TEXT NOT NULL,
    PRIMARY KEY (user_id, neighbourhood)
) STRICT;
