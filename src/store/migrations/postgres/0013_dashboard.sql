-- Command-centre dashboard 指挥中心 (issue 4): requests received per area, period and category,
-- kept by a trigger on tickets, so a dashboard reads a few rows per day or month instead of
-- scanning the tickets of an area. Areas: the grid the request lies in and each division above
-- it (village/community, township/street, the county); a request in no grid counts under its
-- county only. Periods are local (UTC+8), like the metric counters: 'D2026-11-28' rows per
-- category, 'M2026-11' rows per area with category '' (the month's total).
CREATE TABLE dashboard_intake (
  area_code TEXT NOT NULL,
  period    TEXT NOT NULL,
  category  TEXT NOT NULL,
  n         BIGINT NOT NULL,
  PRIMARY KEY (area_code, period, category)
);
-- Open tickets of an area now (在办): one range per open status instead of the area's history.
CREATE INDEX tickets_status_division ON tickets(status, division_code);
-- Month totals of many areas at once (every grid of a county, for the map's heat and clusters).
CREATE INDEX dashboard_intake_month ON dashboard_intake(period, area_code) WHERE category = '';

CREATE FUNCTION dashboard_intake_areas(grid TEXT, county TEXT) RETURNS SETOF TEXT
LANGUAGE sql STABLE AS $$
  SELECT code FROM (
    SELECT grid AS code WHERE grid <> ''
    UNION SELECT d.parent_code FROM divisions d WHERE d.code = grid AND grid <> ''
    UNION SELECT d2.parent_code FROM divisions d1 JOIN divisions d2 ON d2.code = d1.parent_code
          WHERE d1.code = grid AND grid <> ''
    UNION SELECT county) a
  WHERE code IS NOT NULL AND code <> ''
$$;

CREATE FUNCTION dashboard_intake_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  local_ts TIMESTAMP := to_timestamp(NEW.created_at / 1000.0 + 28800) AT TIME ZONE 'UTC';
BEGIN
  -- Sorted, so two transactions add to shared rows (the county's) in the same order.
  INSERT INTO dashboard_intake(area_code, period, category, n)
  SELECT a, p.period, p.category, 1
  FROM dashboard_intake_areas(NEW.grid_code, NEW.county_code) a,
       (VALUES ('D' || to_char(local_ts, 'YYYY-MM-DD'), NEW.category),
               ('M' || to_char(local_ts, 'YYYY-MM'), '')) AS p(period, category)
  ORDER BY 1, 2, 3
  ON CONFLICT (area_code, period, category) DO UPDATE SET n = dashboard_intake.n + 1;
  RETURN NEW;
END $$;

CREATE TRIGGER dashboard_intake_insert AFTER INSERT ON tickets
FOR EACH ROW EXECUTE FUNCTION dashboard_intake_add();

-- What was received before this migration.
INSERT INTO dashboard_intake(area_code, period, category, n)
SELECT a, p.period, p.category, COUNT(*)
FROM tickets t
CROSS JOIN LATERAL dashboard_intake_areas(t.grid_code, t.county_code) a
CROSS JOIN LATERAL (VALUES
  ('D' || to_char(to_timestamp(t.created_at / 1000.0 + 28800) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), t.category),
  ('M' || to_char(to_timestamp(t.created_at / 1000.0 + 28800) AT TIME ZONE 'UTC', 'YYYY-MM'), '')
) AS p(period, category)
GROUP BY 1, 2, 3;
