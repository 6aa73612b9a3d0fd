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
  n         INTEGER NOT NULL,
  PRIMARY KEY (area_code, period, category)
);
-- Open tickets of an area now (在办): one range per open status instead of the area's history.
CREATE INDEX tickets_status_division ON tickets(status, division_code);
-- Month totals of many areas at once (every grid of a county, for the map's heat and clusters).
CREATE INDEX dashboard_intake_month ON dashboard_intake(period, area_code) WHERE category = '';

CREATE TRIGGER dashboard_intake_insert AFTER INSERT ON tickets
BEGIN
  INSERT INTO dashboard_intake(area_code, period, category, n)
  SELECT a.code, p.period, p.category, 1
  FROM (SELECT NEW.grid_code AS code WHERE NEW.grid_code <> ''
        UNION SELECT d.parent_code FROM divisions d WHERE d.code = NEW.grid_code AND NEW.grid_code <> ''
        UNION SELECT d2.parent_code FROM divisions d1 JOIN divisions d2 ON d2.code = d1.parent_code
              WHERE d1.code = NEW.grid_code AND NEW.grid_code <> ''
        UNION SELECT NEW.county_code) a,
       (SELECT 'D' || strftime('%Y-%m-%d', NEW.created_at / 1000 + 28800, 'unixepoch') AS period,
               NEW.category AS category
        UNION ALL
        SELECT 'M' || strftime('%Y-%m', NEW.created_at / 1000 + 28800, 'unixepoch'), '') p
  WHERE a.code IS NOT NULL AND a.code <> ''
  ON CONFLICT(area_code, period, category) DO UPDATE SET n = n + 1;
END;

-- What was received before this migration.
INSERT INTO dashboard_intake(area_code, period, category, n)
SELECT area, period, category, COUNT(*) FROM (
  SELECT a.area, 'D' || strftime('%Y-%m-%d', t.created_at / 1000 + 28800, 'unixepoch') AS period,
         t.category AS category
  FROM tickets t JOIN (
    SELECT t1.id, t1.grid_code AS area FROM tickets t1 WHERE t1.grid_code <> ''
    UNION SELECT t2.id, d.parent_code FROM tickets t2 JOIN divisions d ON d.code = t2.grid_code
    UNION SELECT t3.id, d2.parent_code FROM tickets t3 JOIN divisions d1 ON d1.code = t3.grid_code
          JOIN divisions d2 ON d2.code = d1.parent_code
    UNION SELECT t4.id, t4.county_code FROM tickets t4) a ON a.id = t.id
  UNION ALL
  SELECT a.area, 'M' || strftime('%Y-%m', t.created_at / 1000 + 28800, 'unixepoch'), ''
  FROM tickets t JOIN (
    SELECT t1.id, t1.grid_code AS area FROM tickets t1 WHERE t1.grid_code <> ''
    UNION SELECT t2.id, d.parent_code FROM tickets t2 JOIN divisions d ON d.code = t2.grid_code
    UNION SELECT t3.id, d2.parent_code FROM tickets t3 JOIN divisions d1 ON d1.code = t3.grid_code
          JOIN divisions d2 ON d2.code = d1.parent_code
    UNION SELECT t4.id, t4.county_code FROM tickets t4) a ON a.id = t.id
) x WHERE area IS NOT NULL AND area <> '' GROUP BY area, period, category;
