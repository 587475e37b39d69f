-- Issue 26: a call's neighbourhood (its dialplan's file name without .toml) is stored on the
-- call when it starts, so history does not change when a number later moves to another
-- neighbourhood. Calls from before this migration keep NULL: the readers then fall back to
-- the neighbourhood whose dialplan has the call's number now (`Neighbourhoods::key_of_call`).
ALTER TABLE calls ADD COLUMN neighbourhood TEXT;
