// The command-centre dashboard 指挥中心 (docs/api.md, "Dashboard"): for an area inside the
// caller's scope and a range of months, the KPI figures with the previous period, a trend, the
// category mix, figures per child division for the drill-down (county → township → village →
// grid), unit rankings, map data and a cheap change token. Everything is read from incremental
// counters (metric_counters, dashboard_intake) and bounded index ranges, so a view costs the
// same on a month of history as on ten years. Open to admin, command and township staff only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "domain/requests/metrics.hpp"
#include "store/repos/dashboard_repo.hpp"

namespace gj::app {

struct DashboardQuery {
  std::string area;      // division code; "" = the caller's scope
  std::string from, to;  // YYYY-MM; "" = this month
};

struct DashboardKpi {
  std::string code, name_zh, name_en;
  requests::MetricValue current, previous;
  bool higher_is_better = true;
};

struct DashboardTrendPoint {
  std::string period;  // YYYY-MM-DD or YYYY-MM
  int64_t received = 0;
  std::optional<double> satisfaction_rate, response_rate;  // monthly points only
};

struct DashboardCategory {
  std::string code, name_zh, name_en;
  int64_t count = 0;
};

struct DashboardChild {
  std::string code, name;
  int level = 0;
  bool has_children = false;
  int64_t received = 0;
  requests::MetricValue satisfaction_rate, response_rate, on_time_rate;
  int64_t overdue = 0;
};

struct DashboardUnit {
  std::string unit_id, name;
  int rank = 0;
  int64_t assignments = 0;
  requests::MetricValue satisfaction_rate, response_rate, on_time_rate;
};

struct DashboardCrumb {
  std::string code, name;
  int level = 0;
};

struct DashboardView {
  DashboardCrumb area;
  std::vector<DashboardCrumb> path;          // from the caller's scope down to the area
  std::string from, to, prev_from, prev_to;  // YYYY-MM
  int64_t received = 0, received_previous = 0, open_now = 0;
  int64_t overdue = 0, overdue_previous = 0;
  std::vector<DashboardKpi> kpis;
  std::string trend_granularity;  // day | month
  std::vector<DashboardTrendPoint> trend;
  std::vector<DashboardCategory> categories;  // top-level categories, most first
  std::vector<DashboardChild> children;
  std::vector<DashboardUnit> units;  // ranked by 满意率, best first, at most `kMaxUnits`
  int64_t units_total = 0;
  std::string token;
};

struct DashboardGrid {
  std::string code, name, polygon;  // polygon: GeoJSON text
  int64_t received = 0;
};

struct DashboardMap {
  std::string area_code;
  std::vector<DashboardGrid> grids;
  std::vector<store::dashboard::MapPoint> points;
  int64_t received = 0;        // in the area and period
  bool points_capped = false;  // more requests than points: the grid counts carry the rest
};

class DashboardService {
 public:
  static constexpr int kMaxPoints = 2000;
  static constexpr int kMaxGrids = 5000;
  static constexpr int kMaxUnits = 50;
  static constexpr int kMaxMonths = 24;

  explicit DashboardService(App& app) : app_(app) {}

  Result<DashboardView> summary(const auth::Principal& p, const DashboardQuery& q);
  Result<DashboardMap> map(const auth::Principal& p, const DashboardQuery& q);
  // The area's change token (for polling): changes when a request arrives or a counter moves.
  Result<std::string> token(const auth::Principal& p, const std::string& area);

 private:
  struct Scope;
  Result<Scope> resolve(store::Session& s, const auth::Principal& p, const std::string& area,
                        bool& denied);
  App& app_;
};

}  // namespace gj::app
