#include "api/export_api.hpp"
#include "api/requests_api.hpp"
#include "api/session.hpp"

#include <cstdio>
#include <memory>

#include "app/export_service.hpp"
#include "app/report_service.hpp"
#include "report/xlsx.hpp"

namespace gj::api {

using http::Request;
using http::Response;

namespace {

constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

std::string str_param(const Request& req, std::string_view name) {
  auto v = req.query_param(name);
  return v ? std::string(*v) : std::string();
}

// The caller's language: ?lang= (a plain link cannot set headers), else Accept-Language.
Lang lang_of(const Request& req) {
  std::string l = str_param(req, "lang");
  if (l.starts_with("en")) return Lang::kEn;
  if (l.starts_with("zh")) return Lang::kZh;
  return req.lang();
}

// A temporary file removed when the response has its bytes.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

// Runs `make(path)` into a temporary file and answers with its bytes as an attachment.
template <typename Make>
Response file_response(const Request& req, const char* stem, const char* suffix, const char* type,
                       const std::string& filename, Make make) {
  auto path = report::temp_path(stem, suffix);
  if (!path.ok()) return http::error(path.error(), req);
  TempFile tmp{*path};
  Status st = make(tmp.path);
  if (!st.ok()) return http::error(st.error(), req);
  auto bytes = report::read_file(tmp.path);
  if (!bytes.ok()) return http::error(bytes.error(), req);
  Response res(200, std::move(*bytes), type);
  res.headers.add("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  res.headers.add("Cache-Control", "no-store");
  return res;
}

Result<bool> flag(const Request& req, std::string_view name) {
  std::string v = str_param(req, name);
  if (v.empty() || v == "0" || v == "false") return false;
  if (v == "1" || v == "true") return true;
  return make_error(ErrorCode::kInvalidInput, "expected 1 or 0", std::string(name));
}

std::string stamp(const std::string& s) {
  std::string out;
  for (char c : s)
    if ((c >= '0' && c <= '9') || c == '-') out += c;
  return out;
}

}  // namespace

void register_export_routes(http::Router& router, app::App& app) {
  auto exports = std::make_shared<app::ExportService>(app);
  auto reports = std::make_shared<app::ReportService>(app);

  // Every row of GET /api/v1/requests' filters (status, mine, order) in the caller's scope, plus
  // area and received months (from, to).
  router.add("GET", "/api/v1/requests/export.xlsx",
             authed(app, [exports](Request& req, auth::Principal& p) {
               app::RequestExportQuery q;
               q.status = str_param(req, "status");
               auto mine = flag(req, "mine");
               if (!mine.ok()) return http::error(mine.error(), req);
               q.mine = *mine;
               auto callback = callback_filter(req);
               if (!callback.ok()) return http::error(callback.error(), req);
               q.callback_due = *callback;
               std::string order = str_param(req, "order");
               if (!order.empty() && order != "deadline" && order != "newest")
                 return http::error(
                     make_error(ErrorCode::kInvalidInput, "deadline or newest", "order"), req);
               q.deadline_order = order == "deadline";
               q.area = str_param(req, "area");
               q.from = str_param(req, "from");
               q.to = str_param(req, "to");
               Lang lang = lang_of(req);
               return file_response(req, "gj_requests", ".xlsx", kXlsxType,
                                    q.from.empty() ? std::string("requests-all.xlsx")
                                                   : "requests-" + stamp(q.from) + ".xlsx",
                                    [&](const std::string& path) -> Status {
                                      auto r = exports->requests_xlsx(p, q, lang, path);
                                      if (!r.ok()) return r.error();
                                      return {};
                                    });
             }));

  router.add("GET", "/api/v1/metrics/export.xlsx",
             authed(app, [exports](Request& req, auth::Principal& p) {
               std::string area = str_param(req, "area"), from = str_param(req, "from"),
                           to = str_param(req, "to");
               Lang lang = lang_of(req);
               return file_response(
                   req, "gj_metrics", ".xlsx", kXlsxType,
                   "metrics-" + (area.empty() ? std::string("scope") : stamp(area)) + ".xlsx",
                   [&](const std::string& path) -> Status {
                     auto r = exports->metrics_xlsx(p, area, from, to, lang, path);
                     if (!r.ok()) return r.error();
                     return {};
                   });
             }));

  router.add("GET", "/api/v1/users/export.xlsx",
             authed(app, [exports](Request& req, auth::Principal& p) {
               store::UserFilter f;
               f.q = str_param(req, "q");
               f.role = str_param(req, "role");
               Lang lang = lang_of(req);
               return file_response(req, "gj_users", ".xlsx", kXlsxType, "users.xlsx",
                                    [&](const std::string& path) -> Status {
                                      auto r = exports->users_xlsx(p, f, lang, path);
                                      if (!r.ok()) return r.error();
                                      return {};
                                    });
             }));

  router.add("GET", "/api/v1/audit/export.xlsx",
             authed(app, [exports](Request& req, auth::Principal& p) {
               store::AuditFilter f;
               f.actor = str_param(req, "actor");
               f.action = str_param(req, "action");
               for (const char* k : {"from", "to"}) {
                 std::string v = str_param(req, k);
                 int64_t t = 0;
                 if (v.empty()) continue;
                 if (!parse_iso8601(v, t))
                   return http::error(make_error(ErrorCode::kInvalidInput, "ISO 8601", k), req);
                 (std::string(k) == "from" ? f.from : f.to) = t;
               }
               Lang lang = lang_of(req);
               return file_response(req, "gj_audit", ".xlsx", kXlsxType, "audit.xlsx",
                                    [&](const std::string& path) -> Status {
                                      auto r = exports->audit_xlsx(p, f, lang, path);
                                      if (!r.ok()) return r.error();
                                      return {};
                                    });
             }));

  // 月度报告: ?area=CODE (default: the caller's scope)&month=YYYY-MM.
  router.add("GET", "/api/v1/reports/monthly.pdf",
             authed(app, [reports](Request& req, auth::Principal& p) {
               std::string area = str_param(req, "area"), month = str_param(req, "month");
               Lang lang = lang_of(req);
               return file_response(req, "gj_report", ".pdf", "application/pdf",
                                    "monthly-report-" +
                                        (area.empty() ? std::string("scope") : stamp(area)) + "-" +
                                        stamp(month) + ".pdf",
                                    [&](const std::string& path) -> Status {
                                      auto r = reports->monthly_pdf(p, area, month, lang, path);
                                      if (!r.ok()) return r.error();
                                      return {};
                                    });
             }));
}

}  // namespace gj::api
