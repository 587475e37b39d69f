-- Their own language (issue 15): a participant hears it as caller and as helper (NULL:
-- the neighbourhood's own), and a call remembers the language an unknown caller chose with
-- the dialplan's digit (a participant's own is read from the register at every step).
ALTER TABLE participants ADD COLUMN language TEXT;
ALTER TABLE calls ADD COLUMN language TEXT;
