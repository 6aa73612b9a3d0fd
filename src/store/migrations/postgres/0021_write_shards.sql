-- Hot rows 热点行 (several app nodes on one PostgreSQL): every ticket write adds to the counter
-- rows of its grid, village, township, county, city and province — metric_counters (0002),
-- dashboard_intake (0013), area_activity (0017) — in the writer's group transaction, which holds
-- those rows' locks until it commits. The county's and province's rows are the same for every
-- ticket, so the writers of two nodes took turns: one waited on the other's whole group.
-- Each row now also has a shard: a node's writer claims its own at connect (a session advisory
-- lock, src/store/postgres_db.cpp) and sets gongjian.write_shard, which the column defaults to,
-- so two nodes add to different rows of the same key. Readers sum the shards (they already
-- summed periods and parts). Existing rows are shard 0. SQLite has one writer: no shards there.
CREATE FUNCTION gj_write_shard() RETURNS SMALLINT LANGUAGE sql STABLE AS $$
  SELECT COALESCE(NULLIF(current_setting('gongjian.write_shard', true), ''), '0')::SMALLINT
$$;

ALTER TABLE metric_counters ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE metric_counters DROP CONSTRAINT metric_counters_pkey;
ALTER TABLE metric_counters ADD PRIMARY KEY (scope, ref_id, period, part, shard);
ALTER TABLE metric_counters ALTER COLUMN shard SET DEFAULT gj_write_shard();

ALTER TABLE dashboard_intake ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE dashboard_intake DROP CONSTRAINT dashboard_intake_pkey;
ALTER TABLE dashboard_intake ADD PRIMARY KEY (area_code, period, category, shard);
ALTER TABLE dashboard_intake ALTER COLUMN shard SET DEFAULT gj_write_shard();

ALTER TABLE area_activity ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE area_activity DROP CONSTRAINT area_activity_pkey;
ALTER TABLE area_activity ADD PRIMARY KEY (area_code, shard);
ALTER TABLE area_activity ALTER COLUMN shard SET DEFAULT gj_write_shard();

CREATE OR REPLACE FUNCTION dashboard_intake_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  local_ts TIMESTAMP := to_timestamp(NEW.created_at / 1000.0 + 28800) AT TIME ZONE 'UTC';
BEGIN
  -- Sorted, so two transactions of one shard add to shared rows in the same order.
  INSERT INTO dashboard_intake(area_code, period, category, n)
  SELECT a, p.period, p.category, 1
  FROM dashboard_intake_areas(NEW.grid_code, NEW.county_code) a,
       (VALUES ('D' || to_char(local_ts, 'YYYY-MM-DD'), NEW.category),
               ('M' || to_char(local_ts, 'YYYY-MM'), '')) AS p(period, category)
  ORDER BY 1, 2, 3
  ON CONFLICT (area_code, period, category, shard) DO UPDATE SET n = dashboard_intake.n + 1;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION area_activity_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  left_from TEXT := '';  -- the division before an update (the same when it did not move)
BEGIN
  IF TG_OP = 'UPDATE' THEN
    left_from := OLD.division_code;
  END IF;
  -- Sorted, so two transactions of one shard add to shared rows in the same order.
  INSERT INTO area_activity(area_code, changes)
  SELECT DISTINCT substr(c.code, 1, len) || pad, 1
  FROM area_prefixes, (VALUES (NEW.division_code), (left_from)) c(code)
  WHERE len <= length(c.code) ORDER BY 1
  ON CONFLICT (area_code, shard) DO UPDATE SET changes = area_activity.changes + 1;
  RETURN NEW;
END $$;
