-- 15分钟服务圈 (docs/access.md), second part: registered households 登记住户 as homes, the
-- per-type cut-off in stored coverage, and the job table for runs started from the page.

-- Registered households: address, location and size only (no names, no ID numbers). The grid
-- 网格 gives the unit; `access run` uses the households of the network's area when there are any.
CREATE TABLE access_households (
  id         BIGSERIAL PRIMARY KEY,
  grid_code  TEXT COLLATE "C" NOT NULL,
  address    TEXT NOT NULL,
  lat        DOUBLE PRECISION NOT NULL,
  lon        DOUBLE PRECISION NOT NULL,
  members    BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX access_households_grid ON access_households(grid_code);

-- Homes of a network: 'osm' (residential buildings, from the import) or 'household' (one row
-- per registered location, households = the households registered there; rebuilt by each run).
ALTER TABLE access_residences ADD COLUMN source TEXT NOT NULL DEFAULT 'osm';

-- Each type's own walking minutes (access_facility_types.minutes) at the time of the run, and
-- the homes / households within them.
ALTER TABLE access_coverage ADD COLUMN cutoff_min DOUBLE PRECISION NOT NULL DEFAULT 15;
ALTER TABLE access_coverage ADD COLUMN r_cut BIGINT NOT NULL DEFAULT 0;
ALTER TABLE access_coverage ADD COLUMN h_cut DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE access_runs ADD COLUMN homes TEXT NOT NULL DEFAULT 'osm';

-- Background jobs (runs started from the page or the CLI): stage and done/total for a progress
-- bar. At most one queued or running job per area (division), enforced by the partial index.
CREATE TABLE access_jobs (
  id            BIGSERIAL PRIMARY KEY,
  kind          TEXT NOT NULL,
  division_code TEXT COLLATE "C" NOT NULL,
  status        TEXT NOT NULL,
  stage         TEXT NOT NULL DEFAULT '',
  done          BIGINT NOT NULL DEFAULT 0,
  total         BIGINT NOT NULL DEFAULT 0,
  message       TEXT NOT NULL DEFAULT '',
  run_id        BIGINT,
  created_by    TEXT NOT NULL DEFAULT '',
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  finished_at   BIGINT
);
CREATE UNIQUE INDEX access_jobs_one_active ON access_jobs(division_code)
  WHERE status IN ('queued', 'running');
