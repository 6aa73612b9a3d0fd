#include "app/export_service.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "app/requests_service.hpp"
#include "domain/auth/personal_data.hpp"
#include "domain/org/division.hpp"
#include "domain/requests/status.hpp"
#include "report/xlsx.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::app {

using nlohmann::json;
using report::Cell;
using report::CellKind;
using report::Column;
using store::Session;

namespace {

constexpr int64_t kChinaOffsetMs = 8LL * 3600 * 1000;
// Rows per read while exporting: each read pays the list's COUNT and OFFSET over the scope, so
// fewer, larger pages are much faster (100k rows: 100 pages ~60 s, 20 pages ~10 s) for a few MB.
constexpr int kChunk = 5000;

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string mask_name(const std::string& name) {
  if (name.empty()) return name;
  unsigned char c = static_cast<unsigned char>(name[0]);
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  return name.substr(0, std::min(n, name.size())) + "*";
}

std::string channel_name(const std::string& c, bool zh) {
  static const std::map<std::string, std::pair<const char*, const char*>> names = {
      {"citizen", {"群众自主上报", "Citizen"}},
      {"hotline", {"12345热线", "12345 hotline"}},
      {"grid", {"网格员上报", "Grid worker"}},
      {"transfer", {"部门转办", "Transfer"}}};
  auto it = names.find(c);
  return it == names.end() ? c : zh ? it->second.first : it->second.second;
}

std::string rating_name(const std::string& r, bool zh) {
  if (r == "satisfied") return zh ? "满意" : "Satisfied";
  if (r == "fairly_satisfied") return zh ? "基本满意" : "Fairly satisfied";
  if (r == "unsatisfied") return zh ? "不满意" : "Unsatisfied";
  return r;
}

std::string yes(bool v, bool zh) {
  return v ? (zh ? "是" : "yes") : "";
}

Cell opt_time(const std::optional<int64_t>& v) {
  return v ? Cell::of(static_cast<double>(*v)) : Cell::empty();
}

}  // namespace

Result<std::pair<int64_t, int64_t>> month_range(const std::string& v, const char* field) {
  auto digits = [](std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (v.size() != 7 || v[4] != '-' || !digits(v.substr(0, 4)) || !digits(v.substr(5)))
    return make_error(ErrorCode::kInvalidInput, "expected YYYY-MM", field);
  int y = std::stoi(v.substr(0, 4)), m = std::stoi(v.substr(5));
  if (m < 1 || m > 12 || y < 2000 || y > 2100)
    return make_error(ErrorCode::kInvalidInput, "expected YYYY-MM", field);
  int64_t a = days_from_civil(y, m, 1);
  int64_t b = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
  return std::pair{a * 86400000 - kChinaOffsetMs, b * 86400000 - kChinaOffsetMs};
}

std::string previous_month(const std::string& month) {
  if (month.size() != 7) return month;
  int y = std::stoi(month.substr(0, 4)), m = std::stoi(month.substr(5));
  if (--m == 0) {
    m = 12;
    --y;
  }
  char b[32];
  std::snprintf(b, sizeof b, "%04d-%02d", y, m);
  return b;
}

std::string china_time(int64_t ms) {
  int64_t t = (ms + kChinaOffsetMs) / 1000;
  int64_t days = t / 86400, secs = t % 86400;
  // civil_from_days
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y0 = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  char b[32];
  std::snprintf(b, sizeof b, "%04lld-%02u-%02u %02lld:%02lld",
                static_cast<long long>(y0 + (m <= 2)), m, d, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs % 3600 / 60));
  return b;
}

Status ExportService::audit(const auth::Principal& p, const std::string& what,
                            const std::string& detail) {
  return app_.db().write([&](Session& s) -> Status {
    store::AuditEntry e;
    e.scope_code = scope_of(s, p);
    e.at = app_.clock().now_ms();
    if (p.user_id) e.actor_id = p.user_id;
    e.actor_name = p.username.empty() ? "cli" : p.username;
    e.action = "export." + what;
    e.target_type = "export";
    e.target_id = what;
    e.detail = detail;
    e.ip = p.ip;
    e.request_id = p.request_id;
    return store::audit::append(s, e);
  });
}

// ---------------------------------------------------------------- requests 诉求清单

Result<ExportResult> ExportService::requests_xlsx(const auth::Principal& p,
                                                  const RequestExportQuery& q, Lang lang,
                                                  const std::string& path,
                                                  const ExportProgress& progress) {
  if (p.role == auth::Role::kCitizen) return make_error(ErrorCode::kForbidden);
  const bool zh = lang == Lang::kZh;
  if (!q.status.empty() && !requests::parse_status(q.status).ok())
    return make_error(ErrorCode::kInvalidInput, "unknown status", "status");
  int64_t from_ms = INT64_MIN, to_ms = INT64_MAX;
  if (!q.from.empty()) {
    GJ_ASSIGN_OR_RETURN(auto r, month_range(q.from, "from"));
    from_ms = r.first;
  }
  if (!q.to.empty()) {
    GJ_ASSIGN_OR_RETURN(auto r, month_range(q.to, "to"));
    to_ms = r.second;
  }
  if (from_ms != INT64_MIN && to_ms != INT64_MAX && to_ms <= from_ms)
    return make_error(ErrorCode::kInvalidInput, "to is before from", "to");
  if (!q.area.empty() && !org::validate_code(q.area).ok())
    return make_error(ErrorCode::kInvalidInput, "expected a division code", "area");
  GJ_ASSIGN_OR_RETURN(auto cats, app_.requests().categories());
  std::map<std::string, std::string> cat_name;
  for (const auto& c : cats) cat_name[c.code] = zh ? c.name_zh : c.name_en;

  report::XlsxWriter xw(path);
  if (!xw.ok()) return make_error(ErrorCode::kInternal, "cannot create the workbook");
  std::string area_label;
  bool denied = false;
  Status st = app_.db().read([&](Session& s) -> Status {
    store::TicketFilter f;
    std::string scope = scope_of(s, p);
    if (p.role == auth::Role::kDepartment)
      f.unit_id = p.unit_id ? std::to_string(*p.unit_id) : std::string("-");
    else
      f.scope_code = scope;
    if (!q.area.empty()) {
      // A narrower area inside the scope; outside it is 404 like every other scoped read.
      if (!org::in_scope(q.area, scope) || p.role == auth::Role::kDepartment) {
        denied = true;
        return make_error(ErrorCode::kNotFound, "", "area");
      }
      f.scope_code = q.area;
    }
    std::string area = q.area.empty() ? scope : q.area;
    auto div = store::divisions::get(s, area);
    area_label = div.ok() ? div->division.name + "（" + area + "）" : area;
    f.status = q.status;
    f.callback_due = q.callback_due;
    if (q.mine) f.holder = f.unit_id.empty() ? p.scope_code : f.unit_id;
    if (q.mine && f.holder.empty()) f.holder = "-";
    f.deadline_order = q.deadline_order;
    f.page_size = kChunk;
    xw.sheet(zh ? "诉求清单" : "Requests",
             {{zh ? "编号" : "ID", 8, CellKind::kInteger},
              {zh ? "查询码" : "Tracking code", 14},
              {zh ? "状态" : "Status", 10},
              {zh ? "渠道" : "Channel", 12},
              {zh ? "类别" : "Category", 16},
              {zh ? "标题" : "Subject", 36},
              {zh ? "地址" : "Address", 28},
              {zh ? "网格" : "Grid", 17},
              {zh ? "承办单位" : "Handling unit", 22},
              {zh ? "时限类别" : "Time-limit tier", 10},
              {zh ? "响应时限" : "Response due", 17, CellKind::kDateTime},
              {zh ? "办结时限" : "Resolution due", 17, CellKind::kDateTime},
              {zh ? "超期" : "Overdue", 6},
              {zh ? "督办" : "Supervised", 6},
              {zh ? "重办次数" : "Reopened", 8, CellKind::kInteger},
              {zh ? "评价" : "Rating", 10},
              {zh ? "诉求人" : "Requester", 10},
              {zh ? "联系电话" : "Phone", 14},
              {zh ? "受理时间" : "Received", 17, CellKind::kDateTime},
              {zh ? "更新时间" : "Updated", 17, CellKind::kDateTime}});
    int64_t total = -1;
    for (int page = 1;; ++page) {
      f.page = page;
      auto rows = store::tickets::list(s, f);
      if (!rows.ok()) return rows.error();
      total = rows->total;
      for (const auto& r : rows->items) {
        if (r.created_at < from_ms || r.created_at >= to_ms) continue;
        json state = json::parse(r.state, nullptr, false);
        bool overdue = false, supervised = false;
        std::string rating;
        if (state.is_object()) {
          overdue = state.value("overdue", false);
          supervised = state.value("supervised", false);
          if (state.contains("rating") && state["rating"].is_string())
            rating = state["rating"].get<std::string>();
        }
        auto status = requests::parse_status(r.status);
        auto cn = cat_name.find(r.category);
        xw.row(
            {Cell::of(static_cast<double>(r.id)),
             Cell::of(r.code),
             Cell::of(status.ok() ? std::string(requests::status_name(*status, lang)) : r.status),
             Cell::of(channel_name(r.channel, zh)),
             Cell::of(cn == cat_name.end() ? r.category : cn->second),
             Cell::of(r.subject),
             Cell::of(r.address),
             Cell::of(r.grid_code),
             Cell::of(r.unit_name),
             Cell::of(r.sla_tier),
             opt_time(r.response_due),
             opt_time(r.resolution_due),
             Cell::of(yes(overdue, zh)),
             Cell::of(yes(supervised, zh)),
             Cell::of(static_cast<double>(r.reopen_count)),
             Cell::of(rating_name(rating, zh)),
             Cell::of(mask_name(r.requester_name)),
             Cell::of(r.requester_phone.empty() ? std::string()
                                                : auth::mask_phone(r.requester_phone)),
             Cell::of(static_cast<double>(r.created_at)),
             Cell::of(static_cast<double>(r.updated_at))});
      }
      if (progress) progress(xw.rows_written(), total);
      if (static_cast<int64_t>(page) * kChunk >= total || rows->items.empty()) break;
    }
    return {};
  });
  if (denied) app_.audit_denied(p, "division", q.area);
  if (!st.ok()) return st.error();
  int64_t rows = xw.rows_written();
  xw.note_sheet(
      zh ? "说明" : "About",
      {{zh ? "导出内容" : "Content", zh ? "诉求清单" : "Requests"},
       {zh ? "地区" : "Area", area_label},
       {zh ? "受理月份" : "Received", (q.from.empty() ? std::string("…") : q.from) + " — " +
                                          (q.to.empty() ? std::string("…") : q.to)},
       {zh ? "状态筛选" : "Status filter", q.status.empty() ? (zh ? "全部" : "all") : q.status},
       {zh ? "待回访" : "Call-back queue",
        q.callback_due ? (zh ? "是" : "yes") : (zh ? "否" : "no")},
       {zh ? "行数" : "Rows", std::to_string(rows)},
       {zh ? "生成时间" : "Generated at", china_time(app_.clock().now_ms()) + " (UTC+8)"},
       {zh ? "导出人" : "Exported by", p.username},
       {zh ? "个人信息" : "Personal data",
        zh ? "诉求人姓名和电话已脱敏" : "Requester names and phones are masked"}});
  GJ_TRY(xw.close());
  GJ_TRY(audit(p, "requests",
               json{{"status", q.status},
                    {"mine", q.mine},
                    {"callback_due", q.callback_due},
                    {"area", q.area},
                    {"from", q.from},
                    {"to", q.to},
                    {"rows", rows}}
                   .dump()));
  return ExportResult{rows};
}

// ---------------------------------------------------------------- metrics 考核指标

Result<ExportResult> ExportService::metrics_xlsx(const auth::Principal& p, const std::string& area,
                                                 const std::string& from, const std::string& to,
                                                 Lang lang, const std::string& path,
                                                 const ExportProgress& progress) {
  const bool zh = lang == Lang::kZh;
  GJ_ASSIGN_OR_RETURN(auto v, app_.requests().metrics(p, area, from, to));
  auto defs = requests::default_metrics();
  auto kind = [](const requests::MetricDefinition& d) {
    return d.factor == 100 ? CellKind::kPercent : CellKind::kNumber;
  };
  auto value = [](const requests::MetricDefinition& d, const requests::MetricValue& m) {
    if (!m.value) return Cell::empty();
    return Cell::of(d.factor == 100 ? *m.value / 100 : *m.value);
  };
  report::XlsxWriter xw(path);
  if (!xw.ok()) return make_error(ErrorCode::kInternal, "cannot create the workbook");
  std::vector<Column> cols{{zh ? "单位编码" : "Unit id", 16}, {zh ? "单位" : "Unit", 24}};
  for (const auto& d : defs) cols.push_back({zh ? d.name_zh : d.name_en, 12, kind(d)});
  cols.push_back({zh ? "派单件数" : "Assignments", 10, CellKind::kInteger});
  cols.push_back({zh ? "办结件数" : "Completed", 10, CellKind::kInteger});
  xw.sheet(zh ? "指标" : "Metrics", cols);
  auto counter = [](const requests::Counters& c, std::string_view k) {
    auto it = c.find(k);
    return Cell::of(static_cast<double>(it == c.end() ? 0 : it->second));
  };
  auto metric_of = [](const std::vector<MetricRow>& rows, const std::string& code) {
    for (const auto& m : rows)
      if (m.code == code) return m.value;
    return requests::MetricValue{};
  };
  {
    std::vector<Cell> row{Cell::of(v.area_code),
                          Cell::of(v.area_name + (zh ? "（全域）" : " (area)"))};
    for (const auto& d : defs) row.push_back(value(d, metric_of(v.area, d.code)));
    row.push_back(counter(v.counters, requests::part::kAssignments));
    row.push_back(counter(v.counters, requests::part::kCompleted));
    xw.row(row);
  }
  std::map<std::string, std::string> unit_names;
  for (const auto& u : v.units) {
    unit_names[u.unit_id] = u.name;
    std::vector<Cell> row{Cell::of(u.unit_id), Cell::of(u.name)};
    for (const auto& d : defs) row.push_back(value(d, metric_of(u.metrics, d.code)));
    row.push_back(counter(u.counters, requests::part::kAssignments));
    row.push_back(counter(u.counters, requests::part::kCompleted));
    xw.row(row);
  }
  xw.sheet(zh ? "排名" : "Rankings", {{zh ? "指标" : "Metric", 20},
                                      {zh ? "名次" : "Rank", 8, CellKind::kInteger},
                                      {zh ? "单位编码" : "Unit id", 16},
                                      {zh ? "单位" : "Unit", 24},
                                      {zh ? "数值" : "Value", 12, CellKind::kNumber},
                                      {zh ? "分子" : "Numerator", 10, CellKind::kInteger},
                                      {zh ? "分母" : "Denominator", 10, CellKind::kInteger}});
  for (const auto& [code, rows] : v.rankings) {
    const requests::MetricDefinition* def = nullptr;
    for (const auto& d : defs)
      if (d.code == code) def = &d;
    if (!def) continue;
    for (const auto& x : rows)
      xw.row({Cell::of(zh ? def->name_zh : def->name_en),
              x.rank > 0 ? Cell::of(static_cast<double>(x.rank))
                         : Cell::of(zh ? "未排名" : "not ranked"),
              Cell::of(x.id), Cell::of(unit_names[x.id]), Cell::of(x.value.value),
              Cell::of(static_cast<double>(x.value.numerator)),
              Cell::of(static_cast<double>(x.value.denominator))});
  }
  int64_t rows = xw.rows_written();
  if (progress) progress(rows, rows);
  xw.note_sheet(zh ? "说明" : "About",
                {{zh ? "导出内容" : "Content", zh ? "考核指标与排名" : "Metrics and rankings"},
                 {zh ? "地区" : "Area", v.area_name + "（" + v.area_code + "）"},
                 {zh ? "统计期" : "Period", v.from.substr(1) + " — " + v.to.substr(1)},
                 {zh ? "生成时间" : "Generated at", china_time(app_.clock().now_ms()) + " (UTC+8)"},
                 {zh ? "导出人" : "Exported by", p.username},
                 {zh ? "口径" : "Definitions",
                  zh ? "与指挥中心“考核指标”页面相同；无数据的指标留空（不是0）"
                     : "As on the metrics page; a metric without data is blank (not 0)"}});
  GJ_TRY(xw.close());
  GJ_TRY(audit(
      p, "metrics",
      json{
          {"area", v.area_code}, {"from", v.from.substr(1)}, {"to", v.to.substr(1)}, {"rows", rows}}
          .dump()));
  return ExportResult{rows};
}

// ---------------------------------------------------------------- users, audit (administrators)

Result<ExportResult> ExportService::users_xlsx(const auth::Principal& p,
                                               const store::UserFilter& filter, Lang lang,
                                               const std::string& path) {
  const bool zh = lang == Lang::kZh;
  store::UserFilter f = filter;
  f.page = 1;
  f.page_size = 200;
  GJ_ASSIGN_OR_RETURN(auto first, app_.list_users(p, f));  // permission check first
  report::XlsxWriter xw(path);
  if (!xw.ok()) return make_error(ErrorCode::kInternal, "cannot create the workbook");
  xw.sheet(zh ? "用户" : "Users", {{zh ? "编号" : "ID", 8, CellKind::kInteger},
                                   {zh ? "用户名" : "Username", 16},
                                   {zh ? "姓名" : "Name", 14},
                                   {zh ? "角色" : "Role", 14},
                                   {zh ? "辖区" : "Scope", 24},
                                   {zh ? "单位" : "Unit", 22},
                                   {zh ? "电话" : "Phone", 14},
                                   {zh ? "停用" : "Disabled", 6},
                                   {zh ? "最近登录" : "Last login", 17, CellKind::kDateTime},
                                   {zh ? "创建时间" : "Created", 17, CellKind::kDateTime}});
  auto page = std::move(first);
  for (;;) {
    for (const auto& v : page.items) {
      const auto& ri = auth::role_info(v.user.role);
      xw.row({Cell::of(static_cast<double>(v.user.id)), Cell::of(v.user.username),
              Cell::of(v.user.display_name), Cell::of(std::string(zh ? ri.name_zh : ri.name_en)),
              Cell::of(v.scope_name), Cell::of(v.unit_name), Cell::of(v.user.phone),
              Cell::of(yes(v.user.disabled, zh)), opt_time(v.user.last_login_at),
              Cell::of(static_cast<double>(v.user.created_at))});
    }
    if (static_cast<int64_t>(f.page) * f.page_size >= page.total || page.items.empty()) break;
    ++f.page;
    GJ_ASSIGN_OR_RETURN(page, app_.list_users(p, f));
  }
  int64_t rows = xw.rows_written();
  xw.note_sheet(
      zh ? "说明" : "About",
      {{zh ? "导出内容" : "Content", zh ? "用户清单（电话已脱敏）" : "Users (phones masked)"},
       {zh ? "行数" : "Rows", std::to_string(rows)},
       {zh ? "生成时间" : "Generated at", china_time(app_.clock().now_ms()) + " (UTC+8)"}});
  GJ_TRY(xw.close());
  GJ_TRY(audit(p, "users", json{{"q", filter.q}, {"role", filter.role}, {"rows", rows}}.dump()));
  return ExportResult{rows};
}

Result<ExportResult> ExportService::audit_xlsx(const auth::Principal& p,
                                               const store::AuditFilter& filter, Lang lang,
                                               const std::string& path) {
  const bool zh = lang == Lang::kZh;
  store::AuditFilter f = filter;
  f.page = 1;
  f.page_size = 200;
  GJ_ASSIGN_OR_RETURN(auto page, app_.list_audit(p, f));
  report::XlsxWriter xw(path);
  if (!xw.ok()) return make_error(ErrorCode::kInternal, "cannot create the workbook");
  xw.sheet(zh ? "审计日志" : "Audit log", {{zh ? "编号" : "ID", 8, CellKind::kInteger},
                                           {zh ? "时间" : "Time", 17, CellKind::kDateTime},
                                           {zh ? "操作人" : "Actor", 14},
                                           {zh ? "操作" : "Action", 20},
                                           {zh ? "对象类型" : "Target type", 12},
                                           {zh ? "对象" : "Target", 16},
                                           {zh ? "详情" : "Detail", 40},
                                           {"IP", 14},
                                           {zh ? "请求编号" : "Request id", 14}});
  for (;;) {
    for (const auto& e : page.items)
      xw.row({Cell::of(static_cast<double>(e.id)), Cell::of(static_cast<double>(e.at)),
              Cell::of(e.actor_name), Cell::of(e.action), Cell::of(e.target_type),
              Cell::of(e.target_id), Cell::of(e.detail), Cell::of(e.ip), Cell::of(e.request_id)});
    if (static_cast<int64_t>(f.page) * f.page_size >= page.total || page.items.empty()) break;
    ++f.page;
    GJ_ASSIGN_OR_RETURN(page, app_.list_audit(p, f));
  }
  int64_t rows = xw.rows_written();
  xw.note_sheet(
      zh ? "说明" : "About",
      {{zh ? "导出内容" : "Content", zh ? "审计日志" : "Audit log"},
       {zh ? "行数" : "Rows", std::to_string(rows)},
       {zh ? "生成时间" : "Generated at", china_time(app_.clock().now_ms()) + " (UTC+8)"}});
  GJ_TRY(xw.close());
  GJ_TRY(audit(p, "audit",
               json{{"actor", filter.actor}, {"action", filter.action}, {"rows", rows}}.dump()));
  return ExportResult{rows};
}

}  // namespace gj::app
