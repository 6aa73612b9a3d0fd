-- Open311 GET /requests (issue 3): public tickets of a county in a date window, newest first,
-- as one indexed query (src/store/repos/requests_sql.hpp, kTicketPublicSearch) instead of
-- paging every public ticket of the county through C++ filters.
CREATE INDEX tickets_public ON tickets(county_code, created_at, id) WHERE is_public = 1;
