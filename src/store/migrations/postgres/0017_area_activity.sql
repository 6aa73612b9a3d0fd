-- Change counts per area 区域变动计数 for the dashboard's change token (issue 4): every ticket
-- row written (received, moved on by a transition, escalated, rated, marked overdue …) adds one
-- to its division and each division above it (grid, village/community, township/street, county,
-- city, province: the prefixes of its code) — and, when the ticket changed hands, to the areas
-- it left. The token is then one primary-key read instead of a pass over every ticket of the
-- area (0013's correlated MAX over ticket_events, which grew with the area's history). Counts
-- start at zero on an upgraded store: the token only has to move when something changes.
CREATE TABLE area_activity (
  area_code TEXT PRIMARY KEY,
  changes   BIGINT NOT NULL
);
-- A code's significant prefix at each level (province 2 … grid 15 digits) and the zeros that pad
-- it back to that level's code: the areas a division lies in are these prefixes of its code.
CREATE TABLE area_prefixes (
  len INTEGER PRIMARY KEY,
  pad TEXT NOT NULL
);
INSERT INTO area_prefixes(len, pad) VALUES
  (2, '0000000000'), (4, '00000000'), (6, '000000'), (9, '000'), (12, ''), (15, '');

CREATE FUNCTION area_activity_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  left_from TEXT := '';  -- the division before an update (the same when it did not move)
BEGIN
  IF TG_OP = 'UPDATE' THEN
    left_from := OLD.division_code;
  END IF;
  -- Sorted, so two transactions add to shared rows (the county's) in the same order.
  INSERT INTO area_activity(area_code, changes)
  SELECT DISTINCT substr(c.code, 1, len) || pad, 1
  FROM area_prefixes, (VALUES (NEW.division_code), (left_from)) c(code)
  WHERE len <= length(c.code) ORDER BY 1
  ON CONFLICT (area_code) DO UPDATE SET changes = area_activity.changes + 1;
  RETURN NEW;
END $$;

CREATE TRIGGER area_activity_insert AFTER INSERT ON tickets
FOR EACH ROW EXECUTE FUNCTION area_activity_add();
CREATE TRIGGER area_activity_update AFTER UPDATE ON tickets
FOR EACH ROW EXECUTE FUNCTION area_activity_add();
