-- PostgreSQL's 0021 gives each writing node its own shard of the counter rows every ticket
-- write adds to (several nodes on one database). SQLite has one writer per store: nothing to do
-- here; the number is kept so both series name the same schema steps.
SELECT 1;
