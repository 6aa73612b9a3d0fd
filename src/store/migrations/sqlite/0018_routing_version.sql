-- The routing cache (0002: the grid R-tree and the county's units in memory) is rebuilt when
-- grids_version changes. 0002 bumped it for grids only; a unit whose kind (unit type) changed or
-- was removed, or a renamed division, kept a stale cache on the other nodes until a restart.
-- Imports (`gongjian import grids|units`, the 组织架构 page) change exactly these rows.
CREATE TRIGGER units_routing_update AFTER UPDATE ON units
BEGIN UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'grids_version'; END;
CREATE TRIGGER units_routing_delete AFTER DELETE ON units
BEGIN UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'grids_version'; END;
CREATE TRIGGER divisions_routing_rename AFTER UPDATE OF name, parent_code ON divisions
BEGIN UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'grids_version'; END;
