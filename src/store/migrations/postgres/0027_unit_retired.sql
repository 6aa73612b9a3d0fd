-- A unit 部门/单位 withdrawn by an institutional reform 机构改革 (merged, renamed, abolished): a
-- unit import with retire_missing retires the units of the file's divisions that it no longer
-- names. A retired unit keeps its row and its history (tickets, assignments, metrics, its staff)
-- but routes no new request and cannot be dispatched to, summoned or given to an account; it
-- leaves the pickers. NULL: in use. Importing it again brings it back. Before this a renamed
-- department stayed beside its successor, and routing, which takes the lowest id of a kind,
-- kept sending requests to the old one.
ALTER TABLE units ADD COLUMN retired_at BIGINT;
