#include "app/dashboard.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include "app/requests_service.hpp"
#include "domain/org/division.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::app {

namespace rq = gj::requests;
using store::Session;

namespace {

constexpr int64_t kLocalOffsetMs = 8 * 3600 * 1000;  // Asia/Shanghai, fixed UTC+8

// Months as one number (year × 12 + month − 1), so ranges are plain arithmetic.
Result<int> parse_month(const std::string& v, const char* field) {
  auto digits = [](const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (v.size() != 7 || v[4] != '-' || !digits(v.substr(0, 4)) || !digits(v.substr(5)))
    return make_error(ErrorCode::kInvalidInput, "expected YYYY-MM", field);
  int y = std::stoi(v.substr(0, 4)), m = std::stoi(v.substr(5));
  if (m < 1 || m > 12 || y < 2000 || y > 2100)
    return make_error(ErrorCode::kInvalidInput, "expected YYYY-MM", field);
  return y * 12 + m - 1;
}
std::string month_text(int ym) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", ym / 12, ym % 12 + 1);
  return buf;
}
std::string month_key(int ym) {
  return "M" + month_text(ym);
}
// Local midnight of the first day of a month, as epoch milliseconds.
int64_t month_start_ms(int ym) {
  using namespace std::chrono;
  sys_days d = year{ym / 12} / month{static_cast<unsigned>(ym % 12 + 1)} / day{1};
  return duration_cast<milliseconds>(d.time_since_epoch()).count() - kLocalOffsetMs;
}
int days_in_month(int ym) {
  using namespace std::chrono;
  year_month_day_last l{year{ym / 12} / month{static_cast<unsigned>(ym % 12 + 1)} / last};
  return static_cast<int>(static_cast<unsigned>(l.day()));
}

const rq::MetricDefinition* find_def(const std::vector<rq::MetricDefinition>& defs,
                                     std::string_view code) {
  for (const auto& d : defs)
    if (d.code == code) return &d;
  return nullptr;
}

rq::MetricValue value_of(const std::vector<rq::MetricDefinition>& defs, std::string_view code,
                         const rq::Counters& c) {
  const auto* d = find_def(defs, code);
  return d ? rq::compute(*d, c) : rq::MetricValue{};
}

rq::Counters counters_of(Session& s, const std::string& area, const std::string& from,
                         const std::string& to, Status& st) {
  rq::Counters c;
  auto sum = store::counters::sum(s, "area", area, from, to);
  if (!sum.ok()) {
    st = sum.error();
    return c;
  }
  for (const auto& [part, n] : *sum) c[part] = n;
  return c;
}

struct Period {
  int from = 0, to = 0, prev_from = 0, prev_to = 0;
};

Result<Period> period_of(const DashboardQuery& q, int this_month) {
  Period p;
  if (q.from.empty()) {
    p.from = this_month;
  } else {
    auto f = parse_month(q.from, "from");
    if (!f.ok()) return f.error();
    p.from = *f;
  }
  if (q.to.empty()) {
    p.to = std::max(p.from, this_month);
  } else {
    auto t = parse_month(q.to, "to");
    if (!t.ok()) return t.error();
    p.to = *t;
  }
  if (p.to < p.from) return make_error(ErrorCode::kInvalidInput, "to is before from", "to");
  if (p.to - p.from + 1 > DashboardService::kMaxMonths)
    return make_error(ErrorCode::kInvalidInput, "at most 24 months", "from");
  int n = p.to - p.from + 1;
  p.prev_to = p.from - 1;
  p.prev_from = p.from - n;
  return p;
}

int this_month_of(const App& app) {
  std::string key = rq::period_key(app.clock().now(), rq::Granularity::kMonth);  // M2026-11
  return std::stoi(key.substr(1, 4)) * 12 + std::stoi(key.substr(6, 2)) - 1;
}

}  // namespace

struct DashboardService::Scope {
  store::DivisionRow row;
  std::vector<DashboardCrumb> path;
};

Result<DashboardService::Scope> DashboardService::resolve(Session& s, const auth::Principal& p,
                                                          const std::string& area, bool& denied) {
  // 指挥中心 is for the command chain's platforms: county command centre, township/street
  // platforms and administrators. Villages, grid workers and departments work from their queues.
  if (p.role != auth::Role::kAdmin && p.role != auth::Role::kCommand &&
      p.role != auth::Role::kTownship)
    return make_error(ErrorCode::kForbidden);
  std::string scope = scope_of(s, p);
  std::string code = area.empty() ? scope : area;
  if (!org::validate_code(code).ok() || !org::in_scope(code, scope)) {
    denied = !area.empty();
    return make_error(ErrorCode::kNotFound, "", "area");
  }
  auto row = store::divisions::get(s, code);
  if (!row.ok()) return make_error(ErrorCode::kNotFound, "", "area");
  Scope out;
  out.row = *row;
  // Breadcrumb: up from the area to the caller's scope.
  std::string c = code;
  for (int guard = 0; guard < 8 && !c.empty(); ++guard) {
    auto d = c == code ? row : store::divisions::get(s, c);
    if (!d.ok()) break;
    out.path.push_back({d->division.code, d->division.name, static_cast<int>(d->division.level)});
    if (c == scope) break;
    c = d->division.parent_code;
  }
  std::reverse(out.path.begin(), out.path.end());
  return out;
}

Result<DashboardView> DashboardService::summary(const auth::Principal& p, const DashboardQuery& q) {
  const int this_month = this_month_of(app_);
  auto per = period_of(q, this_month);
  if (!per.ok()) return per.error();
  auto cats = app_.requests().categories();
  if (!cats.ok()) return cats.error();
  std::map<std::string, store::CategoryRow> cat_by_code;
  for (const auto& c : *cats) cat_by_code[c.code] = c;
  const auto defs = rq::default_metrics();
  bool denied = false;
  auto r = app_.db().read_value<DashboardView>([&](Session& s) -> Result<DashboardView> {
    auto sc = resolve(s, p, q.area, denied);
    if (!sc.ok()) return sc.error();
    const std::string code = sc->row.division.code;
    DashboardView v;
    v.area = {code, sc->row.division.name, static_cast<int>(sc->row.division.level)};
    v.path = sc->path;
    v.from = month_text(per->from);
    v.to = month_text(per->to);
    v.prev_from = month_text(per->prev_from);
    v.prev_to = month_text(per->prev_to);
    const std::string f = month_key(per->from), t = month_key(per->to);
    const std::string pf = month_key(per->prev_from), pt = month_key(per->prev_to);

    // KPI figures 考核指标 from the area's counters, this period and the one before.
    Status st;
    rq::Counters cur = counters_of(s, code, f, t, st);
    rq::Counters prev = counters_of(s, code, pf, pt, st);
    if (!st.ok()) return st.error();
    for (const char* k :
         {"response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"}) {
      const auto* d = find_def(defs, k);
      if (!d) continue;
      v.kpis.push_back({d->code, d->name_zh, d->name_en, rq::compute(*d, cur),
                        rq::compute(*d, prev), d->direction != rq::Direction::kLowerIsBetter});
    }
    auto part = [](const rq::Counters& c, std::string_view k) {
      auto it = c.find(k);
      return it == c.end() ? int64_t{0} : it->second;
    };
    v.overdue = part(cur, rq::part::kOverdue);
    v.overdue_previous = part(prev, rq::part::kOverdue);

    // Received 受理量 and the trend: per day within one month, else per month.
    auto months = store::dashboard::received_by_period(s, code, pf, t);
    if (!months.ok()) return months.error();
    std::map<std::string, int64_t> by_month(months->begin(), months->end());
    for (int m = per->from; m <= per->to; ++m) v.received += by_month[month_key(m)];
    for (int m = per->prev_from; m <= per->prev_to; ++m)
      v.received_previous += by_month[month_key(m)];
    if (per->from == per->to) {
      v.trend_granularity = "day";
      std::string ym = month_text(per->from);
      auto days = store::dashboard::received_by_period(s, code, "D" + ym + "-01", "D" + ym + "-31");
      if (!days.ok()) return days.error();
      std::map<std::string, int64_t> by_day(days->begin(), days->end());
      int last = days_in_month(per->from);
      if (per->from == this_month) {
        std::string today = rq::period_key(app_.clock().now(), rq::Granularity::kDay);
        last = std::min(last, std::stoi(today.substr(9, 2)));
      }
      for (int d = 1; d <= last; ++d) {
        char key[8];
        std::snprintf(key, sizeof key, "-%02d", d);
        std::string day = ym + key;
        v.trend.push_back({day, by_day["D" + day], std::nullopt, std::nullopt});
      }
    } else {
      v.trend_granularity = "month";
      for (int m = per->from; m <= per->to; ++m) {
        rq::Counters c = counters_of(s, code, month_key(m), month_key(m), st);
        if (!st.ok()) return st.error();
        v.trend.push_back({month_text(m), by_month[month_key(m)],
                           value_of(defs, "satisfaction_rate", c).value,
                           value_of(defs, "response_rate", c).value});
      }
    }

    // Category mix 诉求类别: top-level categories, most first.
    auto bycat =
        store::dashboard::received_by_category(s, code, "D" + v.from + "-01", "D" + v.to + "-31");
    if (!bycat.ok()) return bycat.error();
    std::map<std::string, int64_t> top;
    for (const auto& [c, n] : *bycat) top[c.substr(0, 2)] += n;
    for (const auto& [c, n] : top) {
      DashboardCategory dc{c, c, c, n};
      if (auto it = cat_by_code.find(c); it != cat_by_code.end()) {
        dc.name_zh = it->second.name_zh;
        dc.name_en = it->second.name_en;
      }
      v.categories.push_back(dc);
    }
    std::stable_sort(v.categories.begin(), v.categories.end(),
                     [](const auto& a, const auto& b) { return a.count > b.count; });

    // Children 下级 for the drill-down: received (month totals) and a few rates each.
    auto kids = store::divisions::children(s, code);
    if (!kids.ok()) return kids.error();
    if (!kids->empty()) {
      auto recv = store::dashboard::received_by_area(s, code, f, t);
      if (!recv.ok()) return recv.error();
      std::map<std::string, int64_t> recv_by(recv->begin(), recv->end());
      for (const auto& k : *kids) {
        DashboardChild ch;
        ch.code = k.division.code;
        ch.name = k.division.name;
        ch.level = static_cast<int>(k.division.level);
        ch.has_children = k.child_count > 0;
        ch.received = recv_by[ch.code];
        rq::Counters c = counters_of(s, ch.code, f, t, st);
        if (!st.ok()) return st.error();
        ch.satisfaction_rate = value_of(defs, "satisfaction_rate", c);
        ch.response_rate = value_of(defs, "response_rate", c);
        ch.on_time_rate = value_of(defs, "on_time_rate", c);
        ch.overdue = part(c, rq::part::kOverdue);
        v.children.push_back(std::move(ch));
      }
    }
    auto open = store::dashboard::open_in_area(s, code);
    if (!open.ok()) return open.error();
    v.open_now = *open;
    auto tok = store::dashboard::change_token(
        s, code, rq::period_key(app_.clock().now(), rq::Granularity::kMonth),
        rq::period_key(app_.clock().now(), rq::Granularity::kYear));
    if (!tok.ok()) return tok.error();
    v.token = *tok;
    return v;
  });
  if (denied) app_.audit_denied(p, "division", q.area);
  if (!r.ok()) return r;

  // Unit rankings 单位排名 from the same counters (the metrics use case), by 满意率.
  auto m = app_.requests().metrics(p, r->area.code, r->from, r->to);
  if (!m.ok()) return m.error();
  std::map<std::string, const UnitMetrics*> unit_by_id;
  for (const auto& u : m->units) unit_by_id[u.unit_id] = &u;
  for (const auto& [code, rows] : m->rankings) {
    if (code != "satisfaction_rate") continue;
    r->units_total = static_cast<int64_t>(rows.size());
    for (const auto& row : rows) {
      auto it = unit_by_id.find(row.id);
      if (it == unit_by_id.end()) continue;
      DashboardUnit u;
      u.unit_id = row.id;
      u.name = it->second->name;
      u.rank = row.rank;
      auto a = it->second->counters.find(rq::part::kAssignments);
      u.assignments = a == it->second->counters.end() ? 0 : a->second;
      u.satisfaction_rate = value_of(defs, "satisfaction_rate", it->second->counters);
      u.response_rate = value_of(defs, "response_rate", it->second->counters);
      u.on_time_rate = value_of(defs, "on_time_rate", it->second->counters);
      r->units.push_back(std::move(u));
    }
  }
  // Within a shared rank, the unit with more cases first (100 % of 40 before 100 % of 1).
  std::stable_sort(r->units.begin(), r->units.end(), [](const auto& a, const auto& b) {
    int ra = a.rank ? a.rank : 1 << 30, rb = b.rank ? b.rank : 1 << 30;
    if (ra != rb) return ra < rb;
    return a.satisfaction_rate.denominator > b.satisfaction_rate.denominator;
  });
  if (static_cast<int>(r->units.size()) > kMaxUnits) r->units.resize(kMaxUnits);
  return r;
}

Result<DashboardMap> DashboardService::map(const auth::Principal& p, const DashboardQuery& q) {
  auto per = period_of(q, this_month_of(app_));
  if (!per.ok()) return per.error();
  bool denied = false;
  auto r = app_.db().read_value<DashboardMap>([&](Session& s) -> Result<DashboardMap> {
    auto sc = resolve(s, p, q.area, denied);
    if (!sc.ok()) return sc.error();
    const std::string code = sc->row.division.code;
    DashboardMap m;
    m.area_code = code;
    auto recv =
        store::dashboard::received_by_area(s, code, month_key(per->from), month_key(per->to));
    if (!recv.ok()) return recv.error();
    std::map<std::string, int64_t> by_area(recv->begin(), recv->end());
    m.received = by_area[code];
    auto gs = store::dashboard::grids(s, code, kMaxGrids);
    if (!gs.ok()) return gs.error();
    for (auto& g : *gs) m.grids.push_back({g.code, g.name, std::move(g.polygon), by_area[g.code]});
    // Points only while they stay few: above the cap the grid counts carry the map (heat and
    // clusters per grid), so a county with a long history costs one index range, not its cases.
    if (m.received <= kMaxPoints) {
      auto pts = store::dashboard::points(s, code, month_start_ms(per->from),
                                          month_start_ms(per->to + 1), kMaxPoints);
      if (!pts.ok()) return pts.error();
      m.points = std::move(*pts);
    } else {
      m.points_capped = true;
    }
    return m;
  });
  if (denied) app_.audit_denied(p, "division", q.area);
  return r;
}

Result<std::string> DashboardService::token(const auth::Principal& p, const std::string& area) {
  bool denied = false;
  auto r = app_.db().read_value<std::string>([&](Session& s) -> Result<std::string> {
    auto sc = resolve(s, p, area, denied);
    if (!sc.ok()) return sc.error();
    return store::dashboard::change_token(
        s, sc->row.division.code, rq::period_key(app_.clock().now(), rq::Granularity::kMonth),
        rq::period_key(app_.clock().now(), rq::Granularity::kYear));
  });
  if (denied) app_.audit_denied(p, "division", area);
  return r;
}

}  // namespace gj::app
