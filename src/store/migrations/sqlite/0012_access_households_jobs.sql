-- 15分钟服务圈 (docs/access.md), second part: registered households 登记住户 as homes, the
-- per-type cut-off in stored coverage, and the job table for runs started from the page.

-- Registered households: address, location and size only (no names, no ID numbers). The grid
-- 网格 gives the unit; `access run` uses the households of the network's area when there are any.
CREATE TABLE access_households (
  id         INTEGER PRIMARY KEY,
  grid_code  TEXT NOT NULL,
  address    TEXT NOT NULL,
  lat        REAL NOT NULL,
  lon        REAL NOT NULL,
  members    INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX access_households_grid ON access_households(grid_code);

-- Homes of a network: 'osm' (residential buildings, from the import) or 'household' (one row
-- per registered location, households = the households registered there; rebuilt by each run).
ALTER TABLE access_residences ADD COLUMN source TEXT NOT NULL DEFAULT 'osm';

-- Each type's own walking minutes (access_facility_types.minutes) at the time of the run, and
-- the homes / households within them.
ALTER TABLE access_coverage ADD COLUMN cutoff_min REAL NOT NULL DEFAULT 15;
ALTER TABLE access_coverage ADD COLUMN r_cut INTEGER NOT NULL DEFAULT 0;
ALTER TABLE access_coverage ADD COLUMN h_cut REAL NOT NULL DEFAULT 0;
ALTER TABLE access_runs ADD COLUMN homes TEXT NOT NULL DEFAULT 'osm';

-- Background jobs (runs started from the page or the CLI): stage and done/total for a progress
-- bar. At most one queued or running job per area (division), enforced by the partial index.
CREATE TABLE access_jobs (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL,
  division_code TEXT NOT NULL,
  status        TEXT NOT NULL,
  stage         TEXT NOT NULL DEFAULT '',
  done          INTEGER NOT NULL DEFAULT 0,
  total         INTEGER NOT NULL DEFAULT 0,
  message       TEXT NOT NULL DEFAULT '',
  run_id        INTEGER,
  created_by    TEXT NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  finished_at   INTEGER
);
CREATE UNIQUE INDEX access_jobs_one_active ON access_jobs(division_code)
  WHERE status IN ('queued', 'running');
