-- Their own language (issue 15): a participant hears it as caller and as helper (NULL:
-- the neighbourhood's own), and a call remembers the language it is in (a participant's,
-- or the one an unknown caller chose with the dialplan's digit).
ALTER TABLE participants ADD COLUMN language TEXT;
ALTER TABLE calls ADD COLUMN language TEXT;
