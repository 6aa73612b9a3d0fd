#include "app/report_service.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "app/export_service.hpp"
#include "app/requests_service.hpp"
#include "domain/org/division.hpp"
#include "domain/requests/metrics.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::app {

using nlohmann::json;
using store::Session;

namespace {

constexpr int64_t kDayMs = 86400000;
constexpr int64_t kChinaOffsetMs = 8LL * 3600 * 1000;
// Closures in the month are counted over tickets received up to this long before it.
constexpr int64_t kClosureLookbackMs = 90 * kDayMs;
// The KPI table 关键指标 and the ranking columns.
constexpr const char* kKpis[] = {"response_rate", "resolution_rate", "satisfaction_rate",
                                 "on_time_rate"};

std::optional<double> metric(const std::vector<MetricRow>& rows, const std::string& code) {
  for (const auto& m : rows)
    if (m.code == code) return m.value.value;
  return std::nullopt;
}

std::string trend_name(const std::string& code, bool zh) {
  if (code == "new") return zh ? "新增" : "new";
  if (code == "rising") return zh ? "上升" : "rising";
  if (code == "falling") return zh ? "下降" : "falling";
  return zh ? "持平" : "steady";
}

}  // namespace

Result<report::MonthlyReport> ReportService::monthly(const auth::Principal& p,
                                                     const std::string& area,
                                                     const std::string& month, Lang lang) {
  if (p.role == auth::Role::kCitizen) return make_error(ErrorCode::kForbidden);
  const bool zh = lang == Lang::kZh;
  if (month.empty()) return make_error(ErrorCode::kMissingField, "YYYY-MM", "month");
  GJ_ASSIGN_OR_RETURN(auto range, month_range(month, "month"));
  if (!area.empty() && !org::validate_code(area).ok())
    return make_error(ErrorCode::kInvalidInput, "expected a division code", "area");
  const std::string prev = previous_month(month);
  GJ_ASSIGN_OR_RETURN(auto prev_range, month_range(prev, "month"));
  GJ_ASSIGN_OR_RETURN(auto cur, app_.requests().metrics(p, area, month, month));
  GJ_ASSIGN_OR_RETURN(auto before, app_.requests().metrics(p, area, prev, prev));
  GJ_ASSIGN_OR_RETURN(auto cats, app_.requests().categories());
  std::map<std::string, std::string> cat_name, cat_path;
  for (const auto& c : cats) {
    cat_name[c.code] = zh ? c.name_zh : c.name_en;
    cat_path[c.code] = c.parent_code.empty() ? c.code : c.parent_code + "/" + c.code;
  }
  auto defs = requests::default_metrics();

  report::MonthlyReport r;
  r.zh = zh;
  r.area_name = cur.area_name;
  r.area_code = cur.area_code;
  r.month = month;
  r.previous_month = prev;
  r.generated_at = china_time(app_.clock().now_ms());
  {
    int y = std::stoi(month.substr(0, 4)), m = std::stoi(month.substr(5));
    r.title = zh ? cur.area_name + " " + std::to_string(y) + "年" + std::to_string(m) +
                       "月 接诉即办月度报告"
                 : "Citizen requests monthly report: " + cur.area_name + ", " + month;
  }
  for (const char* code : kKpis)
    for (const auto& d : defs)
      if (d.code == code)
        r.kpis.push_back(
            {zh ? d.name_zh : d.name_en, metric(cur.area, code), metric(before.area, code)});

  // Days of the month, intake and closures, categories and the hot-issue input, from the tickets
  // of the area (newest first; stops once past the closure look-back).
  const auto [start, end] = range;
  const int days = static_cast<int>((end - start) / kDayMs);
  r.days.resize(days);
  for (int d = 0; d < days; ++d) {
    r.days[d].label = month.substr(5) + "-" + (d + 1 < 10 ? "0" : "") + std::to_string(d + 1);
  }
  std::map<std::string, int64_t> by_category;
  std::vector<requests::RequestSummary> summaries;
  GJ_TRY(app_.db().read([&](Session& s) -> Status {
    store::TicketFilter f;
    if (p.role == auth::Role::kDepartment && area.empty())
      f.unit_id = p.unit_id ? std::to_string(*p.unit_id) : std::string("-");
    else
      f.scope_code = cur.area_code;  // metrics() has checked it lies in the caller's scope
    f.page_size = 5000;              // few pages: each pays the list's COUNT and OFFSET
    for (int page = 1;; ++page) {
      f.page = page;
      auto rows = store::tickets::list(s, f);
      if (!rows.ok()) return rows.error();
      bool any_recent = false;
      for (const auto& t : rows->items) {
        if (t.created_at >= start - kClosureLookbackMs) any_recent = true;
        if (t.created_at >= start && t.created_at < end) {
          ++r.days[(t.created_at - start) / kDayMs].intake;
          ++r.intake_total;
          ++by_category[t.category];
        }
        json st = json::parse(t.state, nullptr, false);
        if (st.is_object() && st.contains("completed_at") && st["completed_at"].is_number()) {
          int64_t c = st["completed_at"].get<int64_t>();
          if (c >= start && c < end) {
            ++r.days[(c - start) / kDayMs].closed;
            ++r.closed_total;
          }
        }
        if (t.created_at >= prev_range.first && t.created_at < end) {
          requests::RequestSummary x;
          x.id = std::to_string(t.id);
          x.category = cat_path.count(t.category) ? cat_path[t.category] : t.category;
          x.text = t.subject + " " + t.body;
          if (t.lat && t.lon) x.location = requests::GeoPoint{*t.lat, *t.lon};
          x.grid_code = t.grid_code;
          x.received_at = TimePoint(std::chrono::milliseconds(t.created_at));
          auto status = requests::parse_status(t.status);
          if (status.ok()) x.status = *status;
          summaries.push_back(std::move(x));
        }
      }
      if (!any_recent || static_cast<int64_t>(page) * f.page_size >= rows->total ||
          rows->items.empty())
        break;
    }
    return {};
  }));
  for (const auto& [code, n] : by_category)
    r.categories.push_back({cat_name.count(code) ? cat_name[code] : code, n});
  std::stable_sort(r.categories.begin(), r.categories.end(),
                   [](const report::Bar& a, const report::Bar& b) { return a.value > b.value; });

  // Unit ranking 单位排名, ordered by the response rate's ranking.
  for (const char* code : kKpis)
    for (const auto& d : defs)
      if (d.code == code) r.ranking_columns.push_back(zh ? d.name_zh : d.name_en);
  std::map<std::string, const UnitMetrics*> units;
  for (const auto& u : cur.units) units[u.unit_id] = &u;
  for (const auto& [code, rows] : cur.rankings) {
    if (code != kKpis[0]) continue;
    for (const auto& x : rows) {
      auto it = units.find(x.id);
      if (it == units.end()) continue;
      report::RankingRow row;
      row.rank = x.rank;
      row.unit = it->second->name;
      for (const char* k : kKpis) row.values.push_back(metric(it->second->metrics, k));
      r.ranking.push_back(std::move(row));
    }
  }

  // Hot issues 热点问题 received this month against the previous month.
  auto hot = requests::cluster_hot_issues(
      summaries, TimePoint(std::chrono::milliseconds(prev_range.first)),
      TimePoint(std::chrono::milliseconds(start)), TimePoint(std::chrono::milliseconds(end)));
  for (const auto& h : hot) {
    if (h.count_current == 0) continue;
    std::string code = h.category.substr(h.category.rfind('/') + 1);
    r.hot.push_back({h.label, cat_name.count(code) ? cat_name[code] : h.category,
                     trend_name(h.trend_code, zh), h.count_current, h.count_previous});
  }
  r.note = zh ? "数据来源：共建平台接诉即办工单。关键指标和单位排名的口径与“考核指标”页面相同，"
                "无数据的指标显示为“—”（不是0）；单位按响应率排名。每日办结按工单的办结时间统计"
                "（受理于本月之前90天以内的工单）。热点问题按诉求文本相似度和地点聚类，"
                "本月同类诉求不少于2件方列出。时间均为北京时间（UTC+8）。"
              : "Source: the platform's citizen-request tickets. Indicators and the unit ranking "
                "use the definitions of the metrics page; a dash means no data (not 0); units are "
                "ranked by response rate. Daily closures count tickets by completion time "
                "(tickets received up to 90 days before the month). Hot issues cluster requests by "
                "text similarity and place, listed from 2 similar requests. Times are China time "
                "(UTC+8).";
  return r;
}

Result<report::MonthlyReport> ReportService::monthly_pdf(const auth::Principal& p,
                                                         const std::string& area,
                                                         const std::string& month, Lang lang,
                                                         const std::string& path) {
  GJ_ASSIGN_OR_RETURN(auto r, monthly(p, area, month, lang));
  GJ_TRY(report::render_monthly_pdf(r, path));
  GJ_TRY(app_.db().write([&](Session& s) -> Status {
    store::AuditEntry e;
    e.scope_code = scope_of(s, p);
    e.at = app_.clock().now_ms();
    if (p.user_id) e.actor_id = p.user_id;
    e.actor_name = p.username.empty() ? "cli" : p.username;
    e.action = "export.monthly_report";
    e.target_type = "export";
    e.target_id = "monthly_report";
    e.detail = json{{"area", r.area_code}, {"month", month}}.dump();
    e.ip = p.ip;
    e.request_id = p.request_id;
    return store::audit::append(s, e);
  }));
  return r;
}

}  // namespace gj::app
