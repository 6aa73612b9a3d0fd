-- 15-minute service circle 15分钟服务圈 (docs/access.md): facility types as data, the stored
-- walking network, facilities, residences, and the results of `gongjian access run`.

-- Facility types 设施类型: name, walking minutes (the reach) and speed. `osm` = found in OSM
-- by the import's type mapping; the others are registered by hand or CSV.
CREATE TABLE access_facility_types (
  code      TEXT PRIMARY KEY,
  name_zh   TEXT NOT NULL,
  name_en   TEXT NOT NULL,
  minutes   DOUBLE PRECISION NOT NULL DEFAULT 15,
  speed_kmh DOUBLE PRECISION NOT NULL DEFAULT 4.5,
  osm       BIGINT NOT NULL DEFAULT 0,
  sort      BIGINT NOT NULL DEFAULT 0
);
INSERT INTO access_facility_types(code, name_zh, name_en, minutes, speed_kmh, osm, sort) VALUES
  ('medical', '医疗机构', 'Medical', 15, 4.5, 1, 10),
  ('school', '学校和幼儿园', 'School', 15, 4.5, 1, 20),
  ('elderly', '养老机构', 'Elderly care', 15, 4.5, 1, 30),
  ('market', '菜市场和超市', 'Market', 15, 4.5, 1, 40),
  ('community', '社区服务中心', 'Community centre', 15, 4.5, 1, 50),
  ('party_service', '党群服务中心', 'Party-masses service centre', 15, 4.5, 0, 60),
  ('health_station', '社区卫生服务站', 'Community health station', 15, 4.5, 0, 70),
  ('elderly_canteen', '老年食堂', 'Canteen for the elderly', 10, 4.5, 0, 80);

-- The walking network 步行路网: one row per import; the newest is the current one. `graph` is
-- the CSR's nodes and edges packed little-endian and base64-encoded (docs/access.md), so a run
-- rebuilds the WalkGraph without re-reading OSM.
CREATE TABLE access_networks (
  id            BIGSERIAL PRIMARY KEY,
  name          TEXT NOT NULL,
  division_code TEXT COLLATE "C" NOT NULL,
  source_file   TEXT NOT NULL,
  node_count    BIGINT NOT NULL,
  edge_count    BIGINT NOT NULL,
  min_lat DOUBLE PRECISION NOT NULL, min_lon DOUBLE PRECISION NOT NULL, max_lat DOUBLE PRECISION NOT NULL, max_lon DOUBLE PRECISION NOT NULL,
  imported_at   BIGINT NOT NULL,
  graph         TEXT NOT NULL
);

-- Facilities 服务设施. source: osm (replaced by the next import), manual or csv.
CREATE TABLE access_facilities (
  id            BIGSERIAL PRIMARY KEY,
  division_code TEXT COLLATE "C" NOT NULL,
  source        TEXT NOT NULL,
  source_ref    TEXT NOT NULL DEFAULT '',
  type          TEXT NOT NULL REFERENCES access_facility_types(code),
  name          TEXT NOT NULL DEFAULT '',
  lat           DOUBLE PRECISION NOT NULL,
  lon           DOUBLE PRECISION NOT NULL,
  opening_hours TEXT NOT NULL DEFAULT '',
  updated_at    BIGINT NOT NULL
);
CREATE INDEX access_facilities_division ON access_facilities(division_code);
CREATE INDEX access_facilities_geo ON access_facilities(lat, lon);

-- Homes 住户 (residential buildings from OSM); `unit` is the grid code, or a synthetic cell.
CREATE TABLE access_residences (
  id         BIGSERIAL PRIMARY KEY,
  network_id BIGINT NOT NULL REFERENCES access_networks(id),
  osm_id     BIGINT NOT NULL DEFAULT 0,
  lat        DOUBLE PRECISION NOT NULL,
  lon        DOUBLE PRECISION NOT NULL,
  households DOUBLE PRECISION NOT NULL DEFAULT 1,
  unit       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_residences_network ON access_residences(network_id);

-- `gongjian access run`: one row per run; only the newest finished run keeps results.
CREATE TABLE access_runs (
  id          BIGSERIAL PRIMARY KEY,
  network_id  BIGINT NOT NULL,
  started_at  BIGINT NOT NULL,
  finished_at BIGINT,
  status      TEXT NOT NULL,
  params      TEXT NOT NULL DEFAULT '{}',
  types       TEXT NOT NULL DEFAULT '',
  message     TEXT NOT NULL DEFAULT ''
);

-- Minutes from each home to the nearest facility of each type, in the order of runs.types
-- (comma-separated, empty = beyond the cutoff).
CREATE TABLE access_residence_minutes (
  run_id       BIGINT NOT NULL,
  residence_id BIGINT NOT NULL,
  minutes      TEXT NOT NULL,
  PRIMARY KEY (run_id, residence_id)
);

CREATE TABLE access_coverage (
  run_id     BIGINT NOT NULL,
  level      TEXT NOT NULL,
  unit       TEXT NOT NULL,
  type       TEXT NOT NULL,
  residences BIGINT NOT NULL,
  households DOUBLE PRECISION NOT NULL,
  r5 BIGINT NOT NULL, r10 BIGINT NOT NULL, r15 BIGINT NOT NULL,
  h5 DOUBLE PRECISION NOT NULL, h10 DOUBLE PRECISION NOT NULL, h15 DOUBLE PRECISION NOT NULL,
  median_m   DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (run_id, level, unit, type)
);

-- 服务盲区: 250 m cells with homes and no facility of the type within reach.
CREATE TABLE access_gaps (
  run_id     BIGINT NOT NULL,
  type       TEXT NOT NULL,
  cell_x     BIGINT NOT NULL,
  cell_y     BIGINT NOT NULL,
  lat        DOUBLE PRECISION NOT NULL,
  lon        DOUBLE PRECISION NOT NULL,
  residences BIGINT NOT NULL,
  households DOUBLE PRECISION NOT NULL
);
CREATE INDEX access_gaps_run ON access_gaps(run_id, type);
