-- The register's version (registry_version) tells the switchboard's caches of who may be
-- rung (store::participants, the index of issue 31) that a participant changed. Columns
-- added since 001 (language, a say over who comes, experienced, the slow line) did not
-- bump it, so a change of only those (a change confirmed by phone, say) left the caches
-- stale. The trigger now lists every column the caches read.
DROP TRIGGER participants_changed;
CREATE TRIGGER participants_changed
    AFTER UPDATE OF name, phone, available, street, postcode, distance, paused, paused_until, offers,
        language, helpers_from, street_said, desk_only, experienced, slow_line ON participants
    BEGIN UPDATE registry_version SET version = version + 1; END;
