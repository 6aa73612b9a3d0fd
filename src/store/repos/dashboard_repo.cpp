#include "store/repos/dashboard_repo.hpp"

#include "domain/org/division.hpp"

namespace gj::store::dashboard {
namespace {

// ---- SQL (portable between SQLite 3.40 and PostgreSQL 15), schema: 0013_dashboard.sql ----
constexpr const char* kByPeriod =
    "SELECT period, SUM(n) FROM dashboard_intake WHERE area_code = $1 AND period >= $2 AND "
    "period <= $3 GROUP BY period ORDER BY period";
constexpr const char* kByCategory =
    "SELECT category, SUM(n) FROM dashboard_intake WHERE area_code = $1 AND period >= $2 AND "
    "period <= $3 AND category <> '' GROUP BY category ORDER BY category";
// `|| ''` keeps the planners off the primary key's area range (every day row of every area
// below: the whole history of a county) and on the partial month index: months × areas rows.
constexpr const char* kByArea =
    "SELECT area_code, SUM(n) FROM dashboard_intake WHERE category = '' AND period >= $1 AND "
    "period <= $2 AND area_code || '' >= $3 AND area_code || '' < $4 GROUP BY area_code "
    "ORDER BY area_code";
// On (status, division_code): one seek per open status, so only open tickets are touched.
constexpr const char* kOpenInArea =
    "SELECT COUNT(*) FROM tickets WHERE division_code >= $1 AND division_code < $2 AND status IN "
    "('received', 'dispatched', 'claimed', 'returned', 'in_progress', 'escalated', 'whistled', "
    "'replied', 'reopened')";
// On the (grid_code, created_at) index: the area's grids, then the period.
constexpr const char* kPoints =
    "SELECT id, lat, lon, status, category, grid_code, created_at FROM tickets WHERE "
    "grid_code >= $1 AND grid_code < $2 AND created_at >= $3 AND created_at < $4 AND "
    "lat IS NOT NULL AND lon IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT $5";
constexpr const char* kGrids =
    "SELECT g.code, d.name, g.polygon FROM grids g JOIN divisions d ON d.code = g.code WHERE "
    "g.code >= $1 AND g.code < $2 AND g.retired_at IS NULL ORDER BY g.code LIMIT $3";
constexpr const char* kTokenIntake =
    "SELECT COALESCE(SUM(n), 0) FROM dashboard_intake WHERE area_code = $1 AND period = $2 AND "
    "category = ''";
constexpr const char* kTokenCounters =
    "SELECT COALESCE(SUM(value), 0) FROM metric_counters WHERE scope = 'area' AND ref_id = $1 "
    "AND period >= $2 AND period <= $3";

// How many times a ticket row in the area was written (migration 0017's triggers keep it): a
// reply, a start or a note moves no counter but writes the ticket. One primary-key range (on
// PostgreSQL one row per writing node: migration 0021).
constexpr const char* kTokenActivity =
    "SELECT COALESCE(SUM(changes), 0) FROM area_activity WHERE area_code = $1";

Result<Counts> counts(Session& s, const char* q, const Params& p) {
  auto rows = s.query(q, p);
  if (!rows.ok()) return rows.error();
  Counts out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.emplace_back(r.str(0), r.i64(1));
  return out;
}

}  // namespace

Result<Counts> received_by_period(Session& s, const std::string& area, const std::string& from,
                                  const std::string& to) {
  return counts(s, kByPeriod, {area, from, to});
}

Result<Counts> received_by_category(Session& s, const std::string& area, const std::string& from,
                                    const std::string& to) {
  return counts(s, kByCategory, {area, from, to});
}

Result<Counts> received_by_area(Session& s, const std::string& scope_code, const std::string& from,
                                const std::string& to) {
  auto [lo, hi] = org::scope_range(scope_code);
  return counts(s, kByArea, {from, to, lo, hi});
}

Result<int64_t> open_in_area(Session& s, const std::string& scope_code) {
  auto [lo, hi] = org::scope_range(scope_code);
  auto r = s.query_one(kOpenInArea, {lo, hi});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Result<std::vector<MapPoint>> points(Session& s, const std::string& scope_code, int64_t from_ms,
                                     int64_t to_ms, int limit) {
  auto [lo, hi] = org::scope_range(scope_code);
  auto rows = s.query(kPoints, {lo, hi, from_ms, to_ms, static_cast<int64_t>(limit)});
  if (!rows.ok()) return rows.error();
  std::vector<MapPoint> out;
  out.reserve(rows->size());
  for (const auto& r : *rows)
    out.push_back({r.i64(0), r.f64(1), r.f64(2), r.str(3), r.str(4), r.str(5), r.i64(6)});
  return out;
}

Result<std::vector<GridShapeRow>> grids(Session& s, const std::string& scope_code, int limit) {
  auto [lo, hi] = org::scope_range(scope_code);
  auto rows = s.query(kGrids, {lo, hi, static_cast<int64_t>(limit)});
  if (!rows.ok()) return rows.error();
  std::vector<GridShapeRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back({r.str(0), r.str(1), r.str(2)});
  return out;
}

Result<std::string> change_token(Session& s, const std::string& area, const std::string& month,
                                 const std::string& year) {
  auto a = s.query_one(kTokenIntake, {area, month});
  if (!a.ok()) return a.error();
  // Month and year keys sort apart ("M…" < "Y…"): one range covers both.
  auto b = s.query_one(kTokenCounters, {area, month, year});
  if (!b.ok()) return b.error();
  auto c = s.query_one(kTokenActivity, {area});
  if (!c.ok()) return c.error();
  return month.substr(1) + "." + std::to_string(a->i64(0)) + "." + std::to_string(b->i64(0)) + "." +
         std::to_string(c->i64(0));
}

}  // namespace gj::store::dashboard
