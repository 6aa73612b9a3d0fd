-- The routing cache (0002: the grid R-tree and the county's units in memory) is rebuilt when
-- grids_version changes. 0002 bumped it for grids only; a unit whose kind (unit type) changed or
-- was removed, or a renamed division, kept a stale cache on the other nodes until a restart.
-- Imports (`gongjian import grids|units`, the 组织架构 page) change exactly these rows.
CREATE TRIGGER units_routing_change AFTER UPDATE OR DELETE ON units
FOR EACH STATEMENT EXECUTE FUNCTION grids_version_bump();
CREATE TRIGGER divisions_routing_rename AFTER UPDATE OF name, parent_code ON divisions
FOR EACH STATEMENT EXECUTE FUNCTION grids_version_bump();
