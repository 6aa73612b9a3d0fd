#include "api/visits_api.hpp"

#include <memory>
#include <nlohmann/json.hpp>

#include "api/session.hpp"
#include "app/visits_service.hpp"
#include "common/clock.hpp"
#include "http/body.hpp"

namespace gj::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json visit_json(const store::VisitRow& v, Lang lang) {
  std::string kind_name = v.kind;
  for (const auto& k : app::visit_kinds())
    if (k.code == v.kind) kind_name = std::string(lang == Lang::kZh ? k.name_zh : k.name_en);
  return {{"id", v.id},
          {"client_id", v.client_key ? json(*v.client_key) : json(nullptr)},
          {"grid_code", v.grid_code},
          {"worker", {{"id", v.worker_id}, {"name", v.worker_name}}},
          {"household", v.household},
          {"kind", v.kind},
          {"kind_name", kind_name},
          {"note", v.note},
          {"location", v.lat && v.lon ? json{{"lat", *v.lat}, {"lon", *v.lon}} : json(nullptr)},
          {"visited_at", format_iso8601(v.visited_at)},
          {"created_at", format_iso8601(v.created_at)}};
}

// A day (YYYY-MM-DD, China time; `to` covers the whole day) or an ISO 8601 time with zone.
Result<std::optional<int64_t>> time_param(const Request& req, std::string_view name, bool end) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return std::optional<int64_t>();
  std::string text(*v);
  int64_t ms = 0;
  if (text.size() == 10 && parse_iso8601(text + "T00:00:00+08:00", ms))
    return std::optional<int64_t>(end ? ms + 24LL * 3600 * 1000 - 1 : ms);
  if (parse_iso8601(text, ms)) return std::optional<int64_t>(ms);
  return make_error(ErrorCode::kInvalidInput, "YYYY-MM-DD or ISO 8601 with zone",
                    std::string(name));
}

Response create(app::VisitsService& svc, Request& req, const auth::Principal& p) {
  auto body = http::parse_json_object(req.body);
  if (!body.ok()) return http::error(body.error(), req);
  http::JsonFields f(*body);
  app::VisitInput in;
  auto grid = f.optional_string("grid_code", 15);
  if (!grid.ok()) return http::error(grid.error(), req);
  in.grid_code = grid->value_or("");
  auto household = f.required_string("household", 100);
  if (!household.ok()) return http::error(household.error(), req);
  in.household = *household;
  auto kind = f.required_string("kind", 16);
  if (!kind.ok()) return http::error(kind.error(), req);
  in.kind = *kind;
  auto note = f.optional_string("note", 2000);
  if (!note.ok()) return http::error(note.error(), req);
  in.note = note->value_or("");
  auto location = f.optional_lat_lon();
  if (!location.ok()) return http::error(location.error(), req);
  in.lat = location->lat;
  in.lon = location->lon;
  auto at = f.optional_string("visited_at", 40);
  if (!at.ok()) return http::error(at.error(), req);
  if (*at) {
    int64_t ms = 0;
    if (!parse_iso8601(**at, ms))
      return http::error(make_error(ErrorCode::kInvalidInput, "ISO 8601 with zone", "visited_at"),
                         req);
    in.visited_at = ms;
  }
  in.idempotency_key = std::string(req.headers.get_or("Idempotency-Key"));
  auto r = svc.record(p, in);
  if (!r.ok()) return http::error(r.error(), req);
  auto res = http::json(r->replayed ? 200 : 201,
                        {{"visit", visit_json(r->visit, req.lang())}, {"replayed", r->replayed}});
  res.headers.set("Location", "/api/v1/visits/" + std::to_string(r->visit.id));
  return res;
}

int int_param(const Request& req, std::string_view name, int fallback, int lo, int hi) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return fallback;
  try {
    return std::clamp(std::stoi(std::string(*v)), lo, hi);
  } catch (...) {
    return fallback;
  }
}

}  // namespace

void register_visits_routes(http::Router& router, app::App& app) {
  auto svc = std::make_shared<app::VisitsService>(app);
  http::RouteOptions small;
  small.body_limit = 16 * 1024;

  router.add("POST", "/api/v1/visits",
             authed(app, [svc](Request& req, auth::Principal& p) { return create(*svc, req, p); }),
             small);

  router.add(
      "GET", "/api/v1/visits", authed(app, [svc](Request& req, auth::Principal& p) {
        app::VisitQuery q;
        auto grid = req.query_param("grid");
        q.grid = grid ? std::string(*grid) : std::string();
        auto from = time_param(req, "from", false);
        if (!from.ok()) return http::error(from.error(), req);
        auto to = time_param(req, "to", true);
        if (!to.ok()) return http::error(to.error(), req);
        q.from = from->value_or(0);
        q.to = to->value_or(INT64_MAX);
        q.page = int_param(req, "page", 1, 1, 1'000'000);
        q.page_size = int_param(req, "page_size", 50, 1, 200);
        auto r = svc->list(p, q);
        if (!r.ok()) return http::error(r.error(), req);
        json items = json::array();
        for (const auto& v : r->items) items.push_back(visit_json(v, req.lang()));
        return http::json(
            200,
            {{"items", items}, {"total", r->total}, {"page", q.page}, {"page_size", q.page_size}});
      }));
}

}  // namespace gj::api
