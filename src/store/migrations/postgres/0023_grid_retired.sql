-- A grid 网格 withdrawn by a re-division 网格调整: an import with retire_missing stops using the
-- grids of the file's villages that the file no longer names. A retired grid keeps its row, its
-- boundary and its history (tickets, visits, households refer to it) but no longer routes
-- requests, and leaves the county's maps and the grid-boundary export. NULL: in use. Importing
-- the grid again brings it back.
ALTER TABLE grids ADD COLUMN retired_at BIGINT;
