#include "api/dashboard_api.hpp"

#include <nlohmann/json.hpp>

#include "api/session.hpp"
#include "app/dashboard.hpp"

namespace gj::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

std::string str_param(const Request& req, std::string_view name) {
  auto v = req.query_param(name);
  return v ? std::string(*v) : std::string();
}

app::DashboardQuery query_of(const Request& req) {
  return {str_param(req, "area"), str_param(req, "from"), str_param(req, "to")};
}

json value_json(const requests::MetricValue& v) {
  return {{"value", v.value ? json(*v.value) : json(nullptr)},
          {"numerator", v.numerator},
          {"denominator", v.denominator}};
}
json rate_json(const requests::MetricValue& v) {
  return v.value ? json(*v.value) : json(nullptr);
}

json crumb_json(const app::DashboardCrumb& c) {
  return {{"code", c.code}, {"name", c.name}, {"level", c.level}};
}

json summary_json(const app::DashboardView& v, Lang lang) {
  bool zh = lang == Lang::kZh;
  json kpis = json::array();
  for (const auto& k : v.kpis) {
    json cur = value_json(k.current), prev = value_json(k.previous);
    json delta = k.current.value && k.previous.value ? json(*k.current.value - *k.previous.value)
                                                     : json(nullptr);
    kpis.push_back({{"code", k.code},
                    {"name", zh ? k.name_zh : k.name_en},
                    {"current", cur},
                    {"previous", prev},
                    {"delta", delta},
                    {"higher_is_better", k.higher_is_better}});
  }
  json trend = json::array();
  for (const auto& t : v.trend) {
    json p = {{"period", t.period}, {"received", t.received}};
    if (v.trend_granularity == "month") {
      p["satisfaction_rate"] = t.satisfaction_rate ? json(*t.satisfaction_rate) : json(nullptr);
      p["response_rate"] = t.response_rate ? json(*t.response_rate) : json(nullptr);
    }
    trend.push_back(p);
  }
  json cats = json::array();
  for (const auto& c : v.categories)
    cats.push_back({{"code", c.code}, {"name", zh ? c.name_zh : c.name_en}, {"count", c.count}});
  json kids = json::array();
  for (const auto& c : v.children)
    kids.push_back({{"code", c.code},
                    {"name", c.name},
                    {"level", c.level},
                    {"has_children", c.has_children},
                    {"received", c.received},
                    {"satisfaction_rate", rate_json(c.satisfaction_rate)},
                    {"response_rate", rate_json(c.response_rate)},
                    {"on_time_rate", rate_json(c.on_time_rate)},
                    {"overdue", c.overdue}});
  json units = json::array();
  for (const auto& u : v.units)
    units.push_back({{"unit_id", u.unit_id},
                     {"name", u.name},
                     {"rank", u.rank},
                     {"assignments", u.assignments},
                     {"satisfaction_rate", rate_json(u.satisfaction_rate)},
                     {"response_rate", rate_json(u.response_rate)},
                     {"on_time_rate", rate_json(u.on_time_rate)}});
  json path = json::array();
  for (const auto& c : v.path) path.push_back(crumb_json(c));
  return {{"area", crumb_json(v.area)},
          {"path", path},
          {"from", v.from},
          {"to", v.to},
          {"previous", {{"from", v.prev_from}, {"to", v.prev_to}}},
          {"totals",
           {{"received", v.received},
            {"received_previous", v.received_previous},
            {"open_now", v.open_now},
            {"overdue", v.overdue},
            {"overdue_previous", v.overdue_previous}}},
          {"kpis", kpis},
          {"trend", {{"granularity", v.trend_granularity}, {"points", trend}}},
          {"categories", cats},
          {"children", kids},
          {"units", units},
          {"units_total", v.units_total},
          {"token", v.token}};
}

json map_json(const app::DashboardMap& m) {
  json grids = json::array();
  for (const auto& g : m.grids) {
    json poly = json::parse(g.polygon, nullptr, false);
    grids.push_back({{"code", g.code},
                     {"name", g.name},
                     {"received", g.received},
                     {"polygon", poly.is_discarded() ? json(nullptr) : poly}});
  }
  json points = json::array();
  for (const auto& p : m.points)
    points.push_back({{"id", p.id},
                      {"lat", p.lat},
                      {"lon", p.lon},
                      {"status", p.status},
                      {"category", p.category},
                      {"grid_code", p.grid_code}});
  return {{"area", m.area_code},
          {"received", m.received},
          {"points_capped", m.points_capped},
          {"max_points", app::DashboardService::kMaxPoints},
          {"grids", grids},
          {"points", points}};
}

}  // namespace

void register_dashboard_routes(http::Router& router, app::App& app) {
  router.add("GET", "/api/v1/dashboard", authed(app, [&app](Request& req, auth::Principal& p) {
               auto r = app::DashboardService(app).summary(p, query_of(req));
               if (!r.ok()) return http::error(r.error(), req);
               return http::json(200, summary_json(*r, req.lang()));
             }));
  router.add("GET", "/api/v1/dashboard/map", authed(app, [&app](Request& req, auth::Principal& p) {
               auto r = app::DashboardService(app).map(p, query_of(req));
               if (!r.ok()) return http::error(r.error(), req);
               return http::json(200, map_json(*r));
             }));
  router.add("GET", "/api/v1/dashboard/token",
             authed(app, [&app](Request& req, auth::Principal& p) {
               auto r = app::DashboardService(app).token(p, str_param(req, "area"));
               if (!r.ok()) return http::error(r.error(), req);
               return http::json(200, {{"token", *r}});
             }));
}

}  // namespace gj::api
