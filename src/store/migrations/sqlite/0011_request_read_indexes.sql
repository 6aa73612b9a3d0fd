-- Open311 GET /requests (issue 3): public tickets of a county in a date window, newest first,
-- as one indexed query (src/store/repos/requests_sql.hpp, kTicketPublicSearch) instead of
-- paging every public ticket of the county through C++ filters.
CREATE INDEX tickets_public ON tickets(county_code, created_at, id) WHERE is_public = 1;

-- The duplicate preselection run on every intake (kTicketNearby) filters both of its index
-- searches by created_at and county_code as well: with those columns in the indexes it reads
-- no table row it then throws away (the lat band of the box spans the whole county). Same
-- names and the same count of indexes, so intake's writer maintains no more than before.
DROP INDEX tickets_place;
CREATE INDEX tickets_place ON tickets(lat, lon, created_at, county_code);
DROP INDEX tickets_grid_created;
CREATE INDEX tickets_grid_created ON tickets(grid_code, created_at, county_code);
