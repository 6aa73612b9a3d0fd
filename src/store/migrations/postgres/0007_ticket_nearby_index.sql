-- Duplicate suggestions at intake look for recent tickets in the same grid: index that search
-- (bench/requests: the county-wide scan it replaces kept intake at 1–3 % of the commit rate).
CREATE INDEX tickets_grid_created ON tickets(grid_code, created_at);
