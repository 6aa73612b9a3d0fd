#include "api/org_api.hpp"

#include <memory>
#include <nlohmann/json.hpp>

#include "api/import_reply.hpp"
#include "api/session.hpp"
#include "app/org_import.hpp"
#include "http/body.hpp"

namespace gj::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json problems_json(const std::vector<org::FileProblem>& problems, Lang lang) {
  json a = json::array();
  for (const auto& p : problems)
    a.push_back({{"item", p.item},
                 {"reason", p.reason},
                 {"field", p.field},
                 {"value", p.value},
                 {"message", std::string(org::file_reason_text(p.reason, lang))}});
  return a;
}

json report_json(const app::OrgImportReport& r, Lang lang) {
  json j = {{"dry_run", r.dry_run},
            {"ok", r.ok()},
            {"read", r.read},
            {"added", r.added},
            {"changed", r.changed},
            {"unchanged", r.unchanged},
            {"problems", problems_json(r.problems, lang)},
            {"problems_truncated", r.problems_truncated},
            {"seconds", r.seconds}};
  return j;
}

json grids_report_json(const app::OrgImportReport& r, Lang lang) {
  json j = report_json(r, lang);
  j["warnings"] = problems_json(r.warnings, lang);
  j["overlaps"] = r.overlaps;
  j["villages"] = r.villages;
  j["not_in_file"] = r.not_in_file;
  j["area_km2"] = r.area_km2;
  j["bbox"] = r.ok() && r.read > 0 ? json{r.min_lon, r.min_lat, r.max_lon, r.max_lat} : json();
  // The preview map: a FeatureCollection coloured by what the import does to each grid.
  json features = json::array();
  // The stored grids around first, so the map draws the file's grids over them.
  for (const auto& p : r.context) {
    json geom = json::parse(p.polygon, nullptr, false);
    if (geom.is_discarded()) continue;
    features.push_back({{"type", "Feature"},
                        {"properties", {{"code", p.code}, {"name", p.name}, {"status", p.status}}},
                        {"geometry", std::move(geom)}});
  }
  for (const auto& p : r.preview) {
    json geom = json::parse(p.polygon, nullptr, false);
    if (geom.is_discarded()) continue;
    features.push_back(
        {{"type", "Feature"},
         {"properties",
          {{"code", p.code}, {"name", p.name}, {"status", p.status}, {"overlaps", p.overlaps}}},
         {"geometry", std::move(geom)}});
  }
  j["preview"] = {{"type", "FeatureCollection"}, {"features", std::move(features)}};
  auto of_file = std::count_if(r.preview.begin(), r.preview.end(),
                               [](const auto& p) { return p.status != "retired"; });
  j["preview_truncated"] = static_cast<int64_t>(of_file) < r.read;
  j["retired"] = r.retired;
  json retiring = json::array();
  for (const auto& g : r.retiring)
    retiring.push_back({{"code", g.code},
                        {"name", g.name},
                        {"worker", g.worker_name.empty() ? json(nullptr) : json(g.worker_name)},
                        {"open_requests", g.open_requests},
                        {"households", g.households},
                        {"households_moved", g.households_moved}});
  j["retiring"] = std::move(retiring);
  j["households_moved"] = r.households_moved;
  return j;
}

json units_report_json(const app::OrgImportReport& r, Lang lang) {
  json j = report_json(r, lang);
  j["new_kinds"] = r.new_kinds;
  j["not_in_file"] = r.not_in_file;
  j["retired"] = r.retired;
  json retiring = json::array();
  for (const auto& u : r.retiring_units)
    retiring.push_back({{"id", u.id},
                        {"name", u.name},
                        {"kind", u.kind},
                        {"division_code", u.division_code},
                        {"open_requests", u.open_requests},
                        {"staff", u.staff}});
  j["retiring"] = std::move(retiring);
  return j;
}

// 200 with the report when the import ran or was a dry run; 400 (invalid_input) with every
// problem when a real import found any, so nothing was written.
template <typename ToJson>
Response reply(const Result<app::OrgImportReport>& r, const Request& req, ToJson to_json) {
  if (!r.ok()) return http::error(r.error(), req);
  json body = to_json(*r, req.lang());
  if (r->ok() || r->dry_run) return http::json(200, body);
  std::string n = std::to_string(r->problems.size()) + (r->problems_truncated ? "+" : "");
  return import_rejected(req, body, n, "内容", "nothing was imported");
}

}  // namespace

void register_org_routes(http::Router& router, app::App& app) {
  auto svc = std::make_shared<app::OrgImportService>(app);
  // A county's boundary file: 100,000 grids of a few hundred points each stay under 64 MB.
  http::RouteOptions big;
  big.body_limit = 64 * 1024 * 1024;
  http::RouteOptions csv;
  csv.body_limit = 4 * 1024 * 1024;

  // Body: the GeoJSON FeatureCollection itself. ?dry_run=1 checks and previews only;
  // ?retire_missing=1 retires the grids of the file's villages that it does not name.
  router.add("POST", "/api/v1/org/grids/import",
             authed(app,
                    [svc](Request& req, auth::Principal& p) {
                      auto r = svc->import_grids(&p, req.body, dry_run_param(req), {},
                                                 flag_param(req, "retire_missing"));
                      return reply(r, req, grids_report_json);
                    }),
             big);
  // Body: {"csv": "name,kind,division_code\n…"}. ?dry_run=1 checks only; ?retire_missing=1
  // retires the units of the file's divisions that it does not name (机构改革).
  router.add("POST", "/api/v1/org/units/import",
             authed(app,
                    [svc](Request& req, auth::Principal& p) {
                      auto body = http::parse_json_object(req.body);
                      if (!body.ok()) return http::error(body.error(), req);
                      auto text = http::JsonFields(*body).required_string("csv", 4'000'000);
                      if (!text.ok()) return http::error(text.error(), req);
                      auto r = svc->import_units(&p, *text, dry_run_param(req), {},
                                                 flag_param(req, "retire_missing"));
                      return reply(r, req, units_report_json);
                    }),
             csv);
  // The grids under ?scope= (default: the caller's scope) as GeoJSON, for QGIS and re-import.
  router.add("GET", "/api/v1/org/grids.geojson",
             authed(app, [svc](Request& req, auth::Principal& p) {
               auto scope = req.query_param("scope");
               auto r = svc->export_grids(p, scope ? std::string(*scope) : std::string());
               if (!r.ok()) return http::error(r.error(), req);
               Response res(200, std::move(*r), "application/geo+json");
               res.headers.add("Content-Disposition", "attachment; filename=\"grids.geojson\"");
               return res;
             }));
}

}  // namespace gj::api
