-- Duplicate suggestions for an anonymous submitter (issue 3): they are shown only requests whose
-- requesters published them (is_public), so intake searches only those, through two partial
-- indexes that mirror tickets_grid_created and tickets_place (migration 0011). An unpublished
-- request adds no entry to either, so intake's writer maintains them only for published ones;
-- the citizen's search reads the few published requests near the point instead of every recent
-- one (kTicketNearbyPublic in src/store/repos/requests_sql.hpp).
CREATE INDEX tickets_public_grid ON tickets(grid_code, created_at, county_code) WHERE is_public = 1;
CREATE INDEX tickets_public_place ON tickets(lat, lon, created_at, county_code) WHERE is_public = 1;
