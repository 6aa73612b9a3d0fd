// Reads of the command-centre dashboard 指挥中心 (docs/api.md, "Dashboard"): the intake counts
// a trigger keeps per area, period and category (migration 0013), open tickets of an area, and
// the newest located tickets for the map. Every query is an index range, bounded by the area
// and the period (or a LIMIT), never a scan of the history.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/db.hpp"

namespace gj::store::dashboard {

using Counts = std::vector<std::pair<std::string, int64_t>>;

// Requests received in one area per period key in [from, to] ("M2026-06".."M2026-11": month
// totals; "D2026-11-01".."D2026-11-30": per day, summed over categories).
Result<Counts> received_by_period(Session& s, const std::string& area, const std::string& from,
                                  const std::string& to);
// Requests received in one area per category code over days [from, to] ("D…" keys).
Result<Counts> received_by_category(Session& s, const std::string& area, const std::string& from,
                                    const std::string& to);
// Month totals [from, to] of every area inside the code range of `scope_code` (children,
// grids), through the partial index on (period, area_code).
Result<Counts> received_by_area(Session& s, const std::string& scope_code, const std::string& from,
                                const std::string& to);
// Tickets held inside the area now whose status is open (on the (division_code, status) index).
Result<int64_t> open_in_area(Session& s, const std::string& scope_code);

struct MapPoint {
  int64_t id = 0;
  double lat = 0, lon = 0;
  std::string status, category, grid_code;
  int64_t created_at = 0;
};
// The newest `limit` located tickets received in [from_ms, to_ms) in grids of the area.
Result<std::vector<MapPoint>> points(Session& s, const std::string& scope_code, int64_t from_ms,
                                     int64_t to_ms, int limit);

struct GridShapeRow {
  std::string code, name, polygon;
};
// Grids inside the area with their names and polygons (at most `limit`).
Result<std::vector<GridShapeRow>> grids(Session& s, const std::string& scope_code, int limit);

// A cheap change token for an area: this month's intake total, the sum of its metric counters
// this month and year, and how often a ticket row in the area was written (so a reply or a
// claim, which move no counter, move it): each a few rows on a primary key, whatever the size
// of the area's history.
Result<std::string> change_token(Session& s, const std::string& area, const std::string& month,
                                 const std::string& year);

}  // namespace gj::store::dashboard
