#include "api/access_api.hpp"
#include "api/session.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/access_service.hpp"
#include "http/body.hpp"
#include "report/xlsx.hpp"

namespace gj::api {

using http::Request;
using http::Response;
using nlohmann::json;
namespace ar = store::access_repo;

namespace {

std::string qp(const Request& req, std::string_view name) {
  auto v = req.query_param(name);
  return v ? std::string(*v) : std::string();
}

int int_qp(const Request& req, std::string_view name, int fallback, int lo, int hi) {
  try {
    std::string v = qp(req, name);
    return v.empty() ? fallback : std::clamp(std::stoi(v), lo, hi);
  } catch (...) {
    return fallback;
  }
}

json type_json(const ar::FacilityTypeRow& t) {
  return {{"code", t.code},           {"name_zh", t.name_zh},
          {"name_en", t.name_en},     {"minutes", t.minutes},
          {"speed_kmh", t.speed_kmh}, {"radius_m", std::round(t.radius_m())},
          {"from_osm", t.osm}};
}

json facility_json(const ar::FacilityRow& f) {
  return {{"id", f.id},
          {"type", f.type},
          {"name", f.name},
          {"lat", f.lat},
          {"lon", f.lon},
          {"opening_hours", f.opening_hours},
          {"source", f.source},
          {"source_ref", f.source_ref},
          {"division_code", f.division_code},
          {"updated_at", format_iso8601(f.updated_at)}};
}

double r1(double v) {
  return std::round(v * 10) / 10;
}

json coverage_json(const ar::CoverageRow& c) {
  json share = json::array();
  for (int i = 0; i < 3; ++i)
    share.push_back(
        c.households > 0 ? std::round(c.households_within[i] / c.households * 1000) / 1000 : 0.0);
  return {{"level", c.level},
          {"unit", c.unit},
          {"synthetic", c.level == "cell"},
          {"type", c.type},
          {"residences", c.residences},
          {"households", r1(c.households)},
          {"residences_within", c.residences_within},
          {"households_within",
           {r1(c.households_within[0]), r1(c.households_within[1]), r1(c.households_within[2])}},
          {"share_households", share},
          {"median_distance_m", c.median_m < 0 ? json(nullptr) : json(std::round(c.median_m))},
          // The type's own cut-off (e.g. school 10 min) and who is within it.
          {"cutoff_min", c.cutoff_min},
          {"residences_within_cutoff", c.residences_within_cutoff},
          {"households_within_cutoff", r1(c.households_within_cutoff)},
          {"share_households_cutoff",
           c.households > 0 ? std::round(c.households_within_cutoff / c.households * 1000) / 1000
                            : 0.0}};
}

json job_json(const ar::JobRow& j) {
  return {{"id", j.id},
          {"kind", j.kind},
          {"division_code", j.division_code},
          {"status", j.status},
          {"stage", j.stage},
          {"done", j.done},
          {"total", j.total},
          {"message", j.message},
          {"run_id", j.run_id ? json(*j.run_id) : json(nullptr)},
          {"created_by", j.created_by},
          {"created_at", format_iso8601(j.created_at)},
          {"updated_at", format_iso8601(j.updated_at)},
          {"finished_at", j.finished_at ? json(format_iso8601(*j.finished_at)) : json(nullptr)}};
}

Result<app::FacilityInput> facility_input(const Request& req) {
  GJ_ASSIGN_OR_RETURN(auto body, http::parse_json_object(req.body));
  http::JsonFields f(body);
  app::FacilityInput in;
  GJ_ASSIGN_OR_RETURN(in.type, f.required_string("type", 32));
  GJ_ASSIGN_OR_RETURN(in.name, f.required_string("name", 100));
  GJ_ASSIGN_OR_RETURN(auto hours, f.optional_string("opening_hours", 100));
  in.opening_hours = hours.value_or("");
  GJ_ASSIGN_OR_RETURN(auto div, f.optional_string("division_code", 15));
  in.division_code = div.value_or("");
  for (const char* k : {"lat", "lon"}) {
    auto it = body.find(k);
    if (it == body.end() || it->is_null()) return make_error(ErrorCode::kMissingField, "", k);
    if (!it->is_number()) return make_error(ErrorCode::kWrongType, "", k);
    (std::string(k) == "lat" ? in.lat : in.lon) = it->get<double>();
  }
  return in;
}

// A CSV import's error: the usual body plus "row" (the file's line, header = 1) when the
// service named one ("row N: …"), so the page can say which row in the reader's language.
Response import_error(const Error& err, const Request& req) {
  json e = {{"code", err.public_code()}, {"message", err.message(req.lang())}};
  if (!err.field.empty()) e["field"] = err.field;
  if (!req.request_id.empty()) e["request_id"] = req.request_id;
  unsigned long row = 0;
  if (std::sscanf(err.detail.c_str(), "row %lu:", &row) == 1 && row > 0) e["row"] = row;
  return http::json(err.http_status(), json{{"error", std::move(e)}});
}

int64_t id_param(const Request& req) {
  try {
    return std::stoll(std::string(req.param("id")));
  } catch (...) {
    return -1;
  }
}

// The coverage table and the gap list as an Excel workbook (report::XlsxWriter writes a
// temporary file; we read it back and remove it).
Result<std::string> coverage_xlsx(const std::vector<ar::CoverageRow>& rows,
                                  const std::vector<ar::GapRow>& gaps,
                                  const std::vector<ar::FacilityTypeRow>& types, bool zh) {
  using report::Cell;
  using report::CellKind;
  auto path = report::temp_path("gj_coverage", ".xlsx");
  if (!path.ok()) return path.error();
  struct Remove {
    std::string p;
    ~Remove() { std::remove(p.c_str()); }
  } remove{*path};
  auto type_name = [&](const std::string& code) {
    for (const auto& t : types)
      if (t.code == code) return zh ? t.name_zh : t.name_en;
    return code;
  };
  report::XlsxWriter xw(*path);
  if (!xw.ok()) return make_error(ErrorCode::kInternal, "cannot start the workbook");
  xw.sheet(zh ? "覆盖率" : "Coverage",
           {{zh ? "层级" : "Level", 14},
            {zh ? "单元" : "Unit", 14},
            {zh ? "合成单元" : "Synthetic", 10},
            {zh ? "设施类型" : "Facility type", 14},
            {zh ? "住户点" : "Homes", 12, CellKind::kInteger},
            {zh ? "户数" : "Households", 12, CellKind::kNumber},
            {zh ? "5分钟内户数" : "Households 5 min", 12, CellKind::kNumber},
            {zh ? "10分钟内户数" : "Households 10 min", 12, CellKind::kNumber},
            {zh ? "15分钟内户数" : "Households 15 min", 12, CellKind::kNumber},
            {zh ? "5分钟覆盖率" : "Share 5 min", 12, CellKind::kPercent},
            {zh ? "10分钟覆盖率" : "Share 10 min", 12, CellKind::kPercent},
            {zh ? "15分钟覆盖率" : "Share 15 min", 12, CellKind::kPercent},
            {zh ? "中位步行距离（米）" : "Median walk (m)", 12, CellKind::kInteger}});
  for (const auto& c : rows) {
    std::vector<Cell> row{Cell::of(c.level),
                          Cell::of(c.unit),
                          Cell::of(std::string(c.level == "cell" ? (zh ? "是" : "yes") : "")),
                          Cell::of(type_name(c.type)),
                          Cell::of(static_cast<double>(c.residences)),
                          Cell::of(c.households)};
    for (int i = 0; i < 3; ++i) row.push_back(Cell::of(c.households_within[i]));
    for (int i = 0; i < 3; ++i)
      row.push_back(Cell::of(c.households > 0 ? c.households_within[i] / c.households : 0.0));
    row.push_back(c.median_m >= 0 ? Cell::of(std::round(c.median_m)) : Cell::empty());
    xw.row(row);
  }
  xw.sheet(zh ? "服务盲区" : "Gaps", {{zh ? "设施类型" : "Facility type", 14},
                                      {zh ? "纬度" : "Latitude", 12},
                                      {zh ? "经度" : "Longitude", 12},
                                      {zh ? "住户点" : "Homes", 10, CellKind::kInteger},
                                      {zh ? "户数" : "Households", 10, CellKind::kNumber}});
  for (const auto& g : gaps)
    xw.row({Cell::of(type_name(g.type)), Cell::of(g.lat), Cell::of(g.lon),
            Cell::of(static_cast<double>(g.residences)), Cell::of(g.households)});
  GJ_TRY(xw.close());
  auto bytes = report::read_file(*path);
  if (!bytes.ok() || bytes->empty())
    return make_error(ErrorCode::kInternal, "cannot write the workbook");
  return bytes;
}

}  // namespace

void register_access_routes(http::Router& router, app::App& app) {
  auto svc = std::make_shared<app::AccessService>(app);
  // Jobs left queued or running by an earlier server process can never finish.
  (void)svc->fail_interrupted_jobs();
  http::RouteOptions small;
  small.body_limit = 16 * 1024;
  http::RouteOptions csv;
  csv.body_limit = 2 * 1024 * 1024;

  router.add(
      "GET", "/api/v1/access/overview", authed(app, [svc](Request& req, auth::Principal& p) {
        auto r = svc->overview(p);
        if (!r.ok()) return http::error(r.error(), req);
        json types = json::array();
        for (const auto& t : r->types) types.push_back(type_json(t));
        json net = nullptr, run = nullptr;
        if (r->network)
          net = {{"id", r->network->id},
                 {"name", r->network->name},
                 {"division_code", r->network->division_code},
                 {"source_file", r->network->source_file},
                 {"nodes", r->network->node_count},
                 {"edges", r->network->edge_count},
                 {"bbox",
                  {r->network->min_lon, r->network->min_lat, r->network->max_lon,
                   r->network->max_lat}},
                 {"imported_at", format_iso8601(r->network->imported_at)}};
        if (r->run)
          run = {{"id", r->run->id},
                 {"status", r->run->status},
                 {"started_at", format_iso8601(r->run->started_at)},
                 {"finished_at",
                  r->run->finished_at ? json(format_iso8601(*r->run->finished_at)) : json(nullptr)},
                 {"params", json::parse(r->run->params, nullptr, false)},
                 {"types", r->run->types},
                 {"homes", r->run->homes}};
        return http::json(200, {{"network", net}, {"run", run}, {"types", types}});
      }));

  router.add("GET", "/api/v1/access/types", authed(app, [svc](Request& req, auth::Principal& p) {
               auto r = svc->overview(p);
               if (!r.ok()) return http::error(r.error(), req);
               json a = json::array();
               for (const auto& t : r->types) a.push_back(type_json(t));
               return http::json(200, {{"items", a}});
             }));

  router.add("GET", "/api/v1/access/types/{code}",
             authed(app, [svc](Request& req, auth::Principal& p) {
               auto r = svc->facility_type(p, std::string(req.param("code")));
               if (!r.ok()) return http::error(r.error(), req);
               return http::json(200, type_json(*r));
             }));

  // Body: any of {"minutes": 1–60, "name_zh": "…", "name_en": "…"}; the next run uses them.
  router.add("PUT", "/api/v1/access/types/{code}",
             authed(app,
                    [svc](Request& req, auth::Principal& p) {
                      auto body = http::parse_json_object(req.body);
                      if (!body.ok()) return http::error(body.error(), req);
                      http::JsonFields f(*body);
                      app::TypeInput in;
                      auto zh = f.optional_string("name_zh", 50);
                      if (!zh.ok()) return http::error(zh.error(), req);
                      auto en = f.optional_string("name_en", 50);
                      if (!en.ok()) return http::error(en.error(), req);
                      in.name_zh = *zh;
                      in.name_en = *en;
                      if (auto it = body->find("minutes"); it != body->end() && !it->is_null()) {
                        if (!it->is_number())
                          return http::error(make_error(ErrorCode::kWrongType, "", "minutes"), req);
                        in.minutes = it->get<double>();
                      }
                      if (!in.name_zh && !in.name_en && !in.minutes)
                        return http::error(make_error(ErrorCode::kMissingField, "", "minutes"),
                                           req);
                      auto r = svc->update_facility_type(p, std::string(req.param("code")), in);
                      if (!r.ok()) return http::error(r.error(), req);
                      return http::json(200, type_json(*r));
                    }),
             small);

  router.add(
      "GET", "/api/v1/access/facilities", authed(app, [svc](Request& req, auth::Principal& p) {
        ar::BBox box;
        if (std::string b = qp(req, "bbox"); !b.empty()) {
          double v[4];
          if (std::sscanf(b.c_str(), "%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3]) != 4)
            return http::error(
                make_error(ErrorCode::kInvalidInput, "bbox=minlon,minlat,maxlon,maxlat", "bbox"),
                req);
          box = {v[1], v[3], v[0], v[2]};
        }
        auto r = svc->facilities(p, box, qp(req, "type"), int_qp(req, "limit", 2000, 1, 10000),
                                 qp(req, "division"));
        if (!r.ok()) return http::error(r.error(), req);
        json a = json::array();
        for (const auto& f : *r) a.push_back(facility_json(f));
        return http::json(200, {{"items", a}});
      }));

  router.add("POST", "/api/v1/access/facilities",
             authed(app,
                    [svc](Request& req, auth::Principal& p) {
                      auto in = facility_input(req);
                      if (!in.ok()) return http::error(in.error(), req);
                      auto r = svc->create_facility(p, *in);
                      if (!r.ok()) return http::error(r.error(), req);
                      return http::json(201, facility_json(*r));
                    }),
             small);

  router.add("PATCH", "/api/v1/access/facilities/{id}",
             authed(app,
                    [svc](Request& req, auth::Principal& p) {
                      auto in = facility_input(req);
                      if (!in.ok()) return http::error(in.error(), req);
                      auto r = svc->update_facility(p, id_param(req), *in);
                      if (!r.ok()) return http::error(r.error(), req);
                      return http::json(200, facility_json(*r));
                    }),
             small);

  router.add("DELETE", "/api/v1/access/facilities/{id}",
             authed(app, [svc](Request& req, auth::Principal& p) {
               auto st = svc->delete_facility(p, id_param(req));
               if (!st.ok()) return http::error(st.error(), req);
               return http::no_content();
             }));

  // Body: {"csv": "name,type,lat,lon,opening_hours\n…"} (RFC 4180). All rows or none.
  router.add("POST", "/api/v1/access/facilities/import",
             authed(app,
                    [svc](Request& req, auth::Principal& p) {
                      auto body = http::parse_json_object(req.body);
                      if (!body.ok()) return http::error(body.error(), req);
                      auto text = http::JsonFields(*body).required_string("csv", 2'000'000);
                      if (!text.ok()) return http::error(text.error(), req);
                      auto r = svc->import_facilities_csv(p, *text);
                      if (!r.ok()) return import_error(r.error(), req);
                      return http::json(201, {{"inserted", r->inserted}});
                    }),
             csv);

  router.add("GET", "/api/v1/access/coverage", authed(app, [svc](Request& req, auth::Principal& p) {
               auto r = svc->coverage(p);
               if (!r.ok()) return http::error(r.error(), req);
               const std::string type = qp(req, "type"), level = qp(req, "level");
               json a = json::array();
               for (const auto& c : *r)
                 if ((type.empty() || c.type == type) && (level.empty() || c.level == level))
                   a.push_back(coverage_json(c));
               return http::json(200, {{"items", a}});
             }));

  router.add(
      "GET", "/api/v1/access/coverage.xlsx", authed(app, [svc](Request& req, auth::Principal& p) {
        auto cov = svc->coverage(p);
        if (!cov.ok()) return http::error(cov.error(), req);
        auto gaps = svc->gaps(p, "", 100000);
        if (!gaps.ok()) return http::error(gaps.error(), req);
        auto ov = svc->overview(p);
        if (!ov.ok()) return http::error(ov.error(), req);
        auto x = coverage_xlsx(*cov, *gaps, ov->types, req.lang() == Lang::kZh);
        if (!x.ok()) return http::error(x.error(), req);
        Response res(200, std::move(*x),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        res.headers.add("Content-Disposition", "attachment; filename=\"access-coverage.xlsx\"");
        return res;
      }));

  router.add("GET", "/api/v1/access/gaps", authed(app, [svc](Request& req, auth::Principal& p) {
               auto r = svc->gaps(p, qp(req, "type"), int_qp(req, "limit", 200, 1, 5000));
               if (!r.ok()) return http::error(r.error(), req);
               json a = json::array();
               for (const auto& g : *r)
                 a.push_back({{"type", g.type},
                              {"cell", {g.cell_x, g.cell_y}},
                              {"lat", g.lat},
                              {"lon", g.lon},
                              {"residences", g.residences},
                              {"households", r1(g.households)}});
               return http::json(200, {{"items", a}, {"cell_m", 250}});
             }));

  // Compact map layer: one array per home [lat, lon, households, minutes per type…].
  router.add("GET", "/api/v1/access/points", authed(app, [svc](Request& req, auth::Principal& p) {
               auto r = svc->points(p);
               if (!r.ok()) return http::error(r.error(), req);
               json a = json::array();
               for (const auto& pt : r->rows) {
                 json row = {std::round(pt.lat * 1e6) / 1e6, std::round(pt.lon * 1e6) / 1e6,
                             pt.households};
                 size_t b = 0;
                 for (size_t t = 0; t < r->types.size(); ++t) {
                   size_t e = pt.minutes.find(',', b);
                   std::string v = pt.minutes.substr(b, e == std::string::npos ? e : e - b);
                   row.push_back(v.empty() ? json(nullptr) : json(std::stod(v)));
                   b = e == std::string::npos ? pt.minutes.size() : e + 1;
                 }
                 a.push_back(std::move(row));
               }
               return http::json(200, {{"types", r->types},
                                       {"columns", "lat,lon,households,minutes per type"},
                                       {"points", a}});
             }));

  router.add(
      "POST", "/api/v1/access/sites",
      authed(app,
             [svc](Request& req, auth::Principal& p) {
               auto body = http::parse_json_object(req.body);
               if (!body.ok()) return http::error(body.error(), req);
               http::JsonFields f(*body);
               app::SiteRequest sr;
               auto type = f.required_string("type", 32);
               if (!type.ok()) return http::error(type.error(), req);
               auto k = f.optional_int("k", 1, 50);
               if (!k.ok()) return http::error(k.error(), req);
               sr.type = *type;
               sr.k = static_cast<int>(k->value_or(5));
               if (auto it = body->find("candidates"); it != body->end() && !it->is_null()) {
                 if (!it->is_array())
                   return http::error(make_error(ErrorCode::kWrongType, "", "candidates"), req);
                 for (const auto& c : *it) {
                   if (!c.is_object() || !c.contains("lat") || !c.contains("lon") ||
                       !c["lat"].is_number() || !c["lon"].is_number())
                     return http::error(
                         make_error(ErrorCode::kInvalidInput, "{lat, lon} objects", "candidates"),
                         req);
                   sr.candidates.push_back({c["lat"].get<double>(), c["lon"].get<double>()});
                 }
               }
               auto r = svc->suggest_sites(p, sr);
               if (!r.ok()) return http::error(r.error(), req);
               json a = json::array();
               for (const auto& s : r->sites)
                 a.push_back({{"rank", s.rank},
                              {"lat", s.point.lat},
                              {"lon", s.point.lon},
                              {"candidate", s.candidate},
                              {"households_added", r1(s.households_added)},
                              {"residences_added", s.residences_added},
                              {"households_covered_after", r1(s.households_covered_after)}});
               return http::json(200,
                                 {{"type", sr.type},
                                  {"sites", a},
                                  {"households_total", r1(r->households_total)},
                                  {"households_covered_before", r1(r->households_covered_before)}});
             }),
      small);

  // Runs from the page: a background job with progress (admin and command roles).
  router.add("POST", "/api/v1/access/jobs",
             authed(app,
                    [svc](Request& req, auth::Principal& p) {
                      app::RunOptions o;
                      if (!req.body.empty()) {
                        auto body = http::parse_json_object(req.body);
                        if (!body.ok()) return http::error(body.error(), req);
                        if (auto it = body->find("cutoff_min"); it != body->end()) {
                          if (!it->is_number())
                            return http::error(make_error(ErrorCode::kWrongType, "", "cutoff_min"),
                                               req);
                          o.cutoff_min = it->get<double>();
                        }
                      }
                      auto r = svc->start_run_job(p, o);
                      if (!r.ok()) return http::error(r.error(), req);
                      return http::json(202, job_json(*r));
                    }),
             small);

  router.add(
      "GET", "/api/v1/access/jobs", authed(app, [svc](Request& req, auth::Principal& p) {
        auto r = svc->latest_job(p);
        if (!r.ok() && r.error().code == ErrorCode::kNotFound && r.error().detail == "no job yet")
          return http::json(200, {{"job", nullptr}});
        if (!r.ok()) return http::error(r.error(), req);
        return http::json(200, {{"job", job_json(*r)}});
      }));

  // ?wait_ms=N (at most 10 000): long poll, answers as soon as the job has finished.
  router.add(
      "GET", "/api/v1/access/jobs/{id}", authed(app, [svc](Request& req, auth::Principal& p) {
        const int wait_ms = int_qp(req, "wait_ms", 0, 0, 10000);
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
        auto r = svc->job(p, id_param(req));
        while (r.ok() && (r->status == "queued" || r->status == "running") &&
               std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          r = svc->job(p, id_param(req));
        }
        if (!r.ok()) return http::error(r.error(), req);
        return http::json(200, job_json(*r));
      }));

  // Registered households 登记住户: {"csv": "grid_code,address,lat,lon,members\n…",
  // "replace": false}. All rows or none.
  router.add(
      "POST", "/api/v1/access/households/import",
      authed(app,
             [svc](Request& req, auth::Principal& p) {
               auto body = http::parse_json_object(req.body);
               if (!body.ok()) return http::error(body.error(), req);
               auto text = http::JsonFields(*body).required_string("csv", 8'000'000);
               if (!text.ok()) return http::error(text.error(), req);
               bool replace = false;
               if (auto it = body->find("replace"); it != body->end() && !it->is_null()) {
                 if (!it->is_boolean())
                   return http::error(make_error(ErrorCode::kWrongType, "", "replace"), req);
                 replace = it->get<bool>();
               }
               auto r = svc->import_households_csv(p, *text, replace);
               if (!r.ok()) return import_error(r.error(), req);
               return http::json(201, {{"inserted", r->inserted}, {"replaced", r->replaced}});
             }),
      [] {
        http::RouteOptions o;
        o.body_limit = 8 * 1024 * 1024;
        return o;
      }());

  router.add(
      "GET", "/api/v1/access/households", authed(app, [svc](Request& req, auth::Principal& p) {
        auto r = svc->households(p, int_qp(req, "limit", 100, 1, 1000),
                                 int_qp(req, "offset", 0, 0, 100'000'000), qp(req, "division"));
        if (!r.ok()) return http::error(r.error(), req);
        json a = json::array();
        for (const auto& h : r->items)
          a.push_back({{"id", h.id},
                       {"grid_code", h.grid_code},
                       {"address", h.address},
                       {"lat", h.lat},
                       {"lon", h.lon},
                       {"members", h.members}});
        return http::json(200, {{"total", r->total}, {"items", a}});
      }));

  router.add("GET", "/api/v1/access/network", authed(app, [svc](Request& req, auth::Principal& p) {
               auto r = svc->network_geojson(p);
               if (!r.ok()) return http::error(r.error(), req);
               return http::text(200, *r, "application/geo+json");
             }));
}

}  // namespace gj::api
