#include "api/config_api.hpp"

#include <nlohmann/json.hpp>

#include "api/session.hpp"
#include "app/config_service.hpp"
#include "common/clock.hpp"
#include "http/body.hpp"

namespace gj::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

// The catalogue's error plus the editor's own reason in the caller's language, so a form can
// say what is wrong with which field (输入数据有误 + 调休上班日须为周六或周日).
Response config_error(const Error& e, const Request& req) {
  Response r = http::error(e, req);
  if (e.code != ErrorCode::kInvalidInput || e.detail.empty()) return r;
  auto body = json::parse(r.body, nullptr, false);
  if (body.is_discarded()) return r;
  std::string detail = app::config_reason_text(e.detail, req.lang());
  body["error"]["reason"] = e.detail.substr(0, e.detail.find('@'));
  body["error"]["detail"] = detail;
  // The message a form shows as is: the catalogue's words, then what exactly is wrong.
  body["error"]["message"] = body["error"]["message"].get<std::string>() +
                             (req.lang() == Lang::kZh ? "：" : ": ") + detail;
  return http::json(e.http_status(), body);
}

json matrix_json(const store::MatrixRow& r) {
  return {{"category", r.category},
          {"unit_type", r.unit_type},
          {"level", r.level},
          {"sla_tier", r.sla_tier},
          {"version", r.version}};
}
json tier_json(const store::SlaTierRow& t) {
  return {{"code", t.code},
          {"name_zh", t.name_zh},
          {"name_en", t.name_en},
          {"response_amount", t.response_amount},
          {"response_unit", t.response_unit},
          {"resolution_amount", t.resolution_amount},
          {"resolution_unit", t.resolution_unit},
          {"warn_fraction", t.warn_fraction},
          {"warn_minutes", t.warn_minutes},
          {"is_default", t.is_default}};
}
json holiday_json(const store::config::HolidayRow& h) {
  return {{"day", h.day}, {"kind", h.kind}};
}
json category_json(const store::CategoryRow& c) {
  return {{"code", c.code},       {"parent_code", c.parent_code}, {"name_zh", c.name_zh},
          {"name_en", c.name_en}, {"sla_tier", c.sla_tier},       {"unit_type", c.unit_type}};
}

}  // namespace

void register_config_routes(http::Router& router, app::App& app) {
  http::RouteOptions small;
  small.body_limit = 16 * 1024;

  router.add(
      "GET", "/api/v1/config", authed(app, [&app](Request& req, auth::Principal& p) {
        auto r = app::ConfigService(app).get(p);
        if (!r.ok()) return config_error(r.error(), req);
        json m = json::array(), t = json::array(), h = json::array(), c = json::array();
        for (const auto& x : r->matrix) m.push_back(matrix_json(x));
        for (const auto& x : r->tiers) t.push_back(tier_json(x));
        for (const auto& x : r->holidays) h.push_back(holiday_json(x));
        for (const auto& x : r->categories) c.push_back(category_json(x));
        return http::json(
            200, {{"version", r->version.version},
                  {"updated_at", r->version.updated_at ? json(format_iso8601(r->version.updated_at))
                                                       : json(nullptr)},
                  {"updated_by", r->version.updated_by},
                  {"matrix", m},
                  {"sla_tiers", t},
                  {"holidays", h},
                  {"categories", c},
                  {"unit_types", r->unit_types}});
      }));

  router.add("PUT", "/api/v1/config/matrix/{category}",
             authed(app,
                    [&app](Request& req, auth::Principal& p) {
                      auto parsed = http::parse_json_object(req.body);
                      if (!parsed.ok()) return config_error(parsed.error(), req);
                      http::JsonFields f(*parsed);
                      store::MatrixRow row;
                      row.category = std::string(req.param("category"));
                      auto unit = f.required_string("unit_type", 64);
                      if (!unit.ok()) return config_error(unit.error(), req);
                      auto level = f.required_int("level", 1, 9);
                      if (!level.ok()) return config_error(level.error(), req);
                      auto tier = f.optional_string("sla_tier", 32);
                      if (!tier.ok()) return config_error(tier.error(), req);
                      row.unit_type = *unit;
                      row.level = static_cast<int>(*level);
                      row.sla_tier = tier->value_or("");
                      auto r = app::ConfigService(app).put_matrix(p, row);
                      if (!r.ok()) return config_error(r.error(), req);
                      return http::json(200, matrix_json(*r));
                    }),
             small);

  router.add("DELETE", "/api/v1/config/matrix/{category}",
             authed(app, [&app](Request& req, auth::Principal& p) {
               auto st =
                   app::ConfigService(app).delete_matrix(p, std::string(req.param("category")));
               if (!st.ok()) return config_error(st.error(), req);
               return http::no_content();
             }));

  router.add(
      "PUT", "/api/v1/config/sla/{code}",
      authed(app,
             [&app](Request& req, auth::Principal& p) {
               auto parsed = http::parse_json_object(req.body);
               if (!parsed.ok()) return config_error(parsed.error(), req);
               http::JsonFields f(*parsed);
               store::SlaTierRow t;
               t.code = std::string(req.param("code"));
               auto nz = f.required_string("name_zh", 100);
               if (!nz.ok()) return config_error(nz.error(), req);
               auto ne = f.required_string("name_en", 100);
               if (!ne.ok()) return config_error(ne.error(), req);
               auto ra = f.required_int("response_amount", -1000000, 1000000);
               if (!ra.ok()) return config_error(ra.error(), req);
               auto ru = f.required_enum("response_unit",
                                         {"minutes", "hours", "calendar_days", "working_days"});
               if (!ru.ok()) return config_error(ru.error(), req);
               auto sa = f.required_int("resolution_amount", -1000000, 1000000);
               if (!sa.ok()) return config_error(sa.error(), req);
               auto su = f.required_enum("resolution_unit",
                                         {"minutes", "hours", "calendar_days", "working_days"});
               if (!su.ok()) return config_error(su.error(), req);
               auto wm = f.optional_int("warn_minutes", -1000000, 1000000);
               if (!wm.ok()) return config_error(wm.error(), req);
               auto def = f.optional_bool("is_default");
               if (!def.ok()) return config_error(def.error(), req);
               double wf = 0;
               if (parsed->contains("warn_fraction") && !(*parsed)["warn_fraction"].is_null()) {
                 const auto& v = (*parsed)["warn_fraction"];
                 if (!v.is_number())
                   return config_error(make_error(ErrorCode::kWrongType, "", "warn_fraction"), req);
                 wf = v.get<double>();
               }
               t.name_zh = *nz;
               t.name_en = *ne;
               t.response_amount = *ra;
               t.response_unit = *ru;
               t.resolution_amount = *sa;
               t.resolution_unit = *su;
               t.warn_fraction = wf;
               t.warn_minutes = wm->value_or(0);
               t.is_default = def->value_or(false);
               auto r = app::ConfigService(app).put_tier(p, t);
               if (!r.ok()) return config_error(r.error(), req);
               return http::json(200, tier_json(*r));
             }),
      small);

  router.add(
      "PUT", "/api/v1/config/holidays/{day}",
      authed(
          app,
          [&app](Request& req, auth::Principal& p) {
            auto parsed = http::parse_json_object(req.body);
            if (!parsed.ok()) return config_error(parsed.error(), req);
            http::JsonFields f(*parsed);
            auto kind = f.required_string("kind", 16);
            if (!kind.ok()) return config_error(kind.error(), req);
            auto r = app::ConfigService(app).put_holiday(p, {std::string(req.param("day")), *kind});
            if (!r.ok()) return config_error(r.error(), req);
            return http::json(200, holiday_json(*r));
          }),
      small);

  router.add("DELETE", "/api/v1/config/holidays/{day}",
             authed(app, [&app](Request& req, auth::Principal& p) {
               auto st = app::ConfigService(app).delete_holiday(p, std::string(req.param("day")));
               if (!st.ok()) return config_error(st.error(), req);
               return http::no_content();
             }));

  router.add("POST", "/api/v1/config/categories",
             authed(app,
                    [&app](Request& req, auth::Principal& p) {
                      auto parsed = http::parse_json_object(req.body);
                      if (!parsed.ok()) return config_error(parsed.error(), req);
                      http::JsonFields f(*parsed);
                      store::CategoryRow c;
                      auto code = f.required_string("code", 8);
                      if (!code.ok()) return config_error(code.error(), req);
                      auto parent = f.optional_string("parent_code", 8);
                      if (!parent.ok()) return config_error(parent.error(), req);
                      auto nz = f.required_string("name_zh", 100);
                      if (!nz.ok()) return config_error(nz.error(), req);
                      auto ne = f.required_string("name_en", 200);
                      if (!ne.ok()) return config_error(ne.error(), req);
                      auto tier = f.optional_string("sla_tier", 32);
                      if (!tier.ok()) return config_error(tier.error(), req);
                      auto unit = f.optional_string("unit_type", 100);
                      if (!unit.ok()) return config_error(unit.error(), req);
                      c.code = *code;
                      c.parent_code = parent->value_or("");
                      c.name_zh = *nz;
                      c.name_en = *ne;
                      c.sla_tier = tier->value_or("");
                      c.unit_type = unit->value_or("");
                      auto r = app::ConfigService(app).add_category(p, c);
                      if (!r.ok()) return config_error(r.error(), req);
                      return http::json(201, category_json(*r));
                    }),
             small);
}

}  // namespace gj::api
