#include "api/api.hpp"

#include "api/access_api.hpp"
#include "api/attachments_api.hpp"
#include "api/config_api.hpp"
#include "api/dashboard_api.hpp"
#include "api/export_api.hpp"
#include "api/import_reply.hpp"
#include "api/open311.hpp"
#include "api/org_api.hpp"
#include "api/requests_api.hpp"
#include "api/session.hpp"
#include "api/visits_api.hpp"
#include "app/demo.hpp"

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "domain/auth/personal_data.hpp"
#include "domain/org/division.hpp"
#include "http/body.hpp"

namespace gj::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

std::string iso(const std::optional<int64_t>& ms) {
  return ms ? format_iso8601(*ms) : std::string();
}

json node_json(const store::DivisionRow& r, Lang lang) {
  const auto& d = r.division;
  return {{"code", d.code},
          {"name", d.name},
          {"level", static_cast<int>(d.level)},
          {"level_name", org::level_name(d.level, lang == Lang::kZh)},
          {"kind", org::kind_code(d.kind)},
          {"parent_code", d.parent_code},
          {"child_count", r.child_count},
          {"synthetic", d.synthetic},
          {"retired", r.retired}};
}

json nodes_json(const std::vector<store::DivisionRow>& rows, Lang lang) {
  json a = json::array();
  for (const auto& r : rows) a.push_back(node_json(r, lang));
  return a;
}

json principal_json(const auth::Principal& p, app::App& app) {
  json j = {{"id", p.user_id},
            {"must_change_password", p.must_change_password},
            {"username", p.username},
            {"display_name", p.display_name},
            {"role", auth::role_info(p.role).code},
            {"scope_code", p.scope_code},
            {"scope_name", ""},
            {"scope_level", 0},
            {"unit_id", p.unit_id ? json(*p.unit_id) : json(nullptr)},
            {"unit_name", ""}};
  (void)app.db().read([&](store::Session& s) -> Status {
    if (!p.scope_code.empty()) {
      auto d = store::divisions::get(s, p.scope_code);
      if (d.ok()) {
        j["scope_name"] = d->division.name;
        j["scope_level"] = static_cast<int>(d->division.level);
      }
    }
    if (p.unit_id) {
      auto u = store::units::get(s, *p.unit_id);
      if (u.ok()) j["unit_name"] = u->name;
    }
    return {};
  });
  return j;
}

json user_json(const app::UserView& v) {
  const auto& u = v.user;
  return {{"id", u.id},
          {"username", u.username},
          {"display_name", u.display_name},
          {"role", auth::role_info(u.role).code},
          {"scope_code", u.scope_code},
          {"scope_name", v.scope_name},
          {"scope_retired", v.scope_retired},
          {"unit_id", u.unit_id ? json(*u.unit_id) : json(nullptr)},
          {"unit_name", v.unit_name},
          {"unit_retired", v.unit_retired},
          {"phone", u.phone},
          {"id_number", u.id_number},
          {"email", u.email},
          {"language", u.language},
          {"disabled", u.disabled},
          {"locked", v.locked},
          {"last_login_at", iso(u.last_login_at)},
          {"created_at", format_iso8601(u.created_at)}};
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

// The numeric {id} of a path; nullopt when it is not a positive integer (answered as 404).
std::optional<int64_t> path_id(const Request& req) {
  std::string_view v = req.param("id");
  if (v.empty() || v.size() > 18) return std::nullopt;
  int64_t id = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id > 0 ? std::optional<int64_t>(id) : std::nullopt;
}

std::string str_param(const Request& req, std::string_view name) {
  auto v = req.query_param(name);
  return v ? std::string(*v) : std::string();
}

template <typename T, typename F>
Response reply(const Result<T>& r, const Request& req, F to_json, int status = 200) {
  if (!r.ok()) return http::error(r.error(), req);
  return http::json(status, to_json(*r));
}

Response reply_status(const Status& st, const Request& req) {
  if (!st.ok()) return http::error(st.error(), req);
  return http::no_content();
}

json node_view_json(const app::NodeView& v, Lang lang) {
  return {{"node", node_json(v.row, lang)},
          {"path", nodes_json(v.path, lang)},
          {"children", nodes_json(v.children, lang)}};
}

std::string session_cookie(const std::string& token, int64_t max_age_s, bool secure) {
  return std::string(kSessionCookie) + "=" + token +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s) +
         (secure ? "; Secure" : "");
}

}  // namespace

void register_routes(http::Router& router, app::App& app, const ApiConfig& config) {
  register_export_routes(router, app);  // literal …/export.xlsx before …/{id}
  register_requests_routes(router, app, config);
  register_open311_routes(router, app);
  register_config_routes(router, app);
  {
    auto attachments = config.attachments;
    if (!attachments)
      attachments = std::make_shared<app::AttachmentsService>(
          app, std::make_shared<app::DiskFileStore>(
                   config.attachments_dir.empty() ? "data/attachments" : config.attachments_dir));
    register_attachments_routes(router, app, attachments);
  }
  http::RouteOptions open;
  open.public_access = true;
  http::RouteOptions small;
  small.body_limit = 4 * 1024;

  // ---- meta ----
  router.add(
      "GET", "/api/v1/meta",
      [&app, config](Request& req) {
        json roles = json::array(), levels = json::array();
        for (const auto& r : auth::all_roles())
          roles.push_back({{"code", r.code}, {"name_zh", r.name_zh}, {"name_en", r.name_en}});
        for (int l = 1; l <= 6; ++l)
          levels.push_back({{"level", l},
                            {"name_zh", org::level_name(static_cast<org::Level>(l), true)},
                            {"name_en", org::level_name(static_cast<org::Level>(l), false)}});
        bool demo = config.demo;
        // A demo store lists its accounts on the login page 演示账号 (those still present and
        // enabled), so a first visitor can sign in without the terminal that printed them.
        json demo_logins = json::array();
        (void)app.db().read([&](store::Session& s) -> Status {
          auto v = store::settings::get(s, "demo");
          if (v.ok() && *v) demo = **v == "1";
          if (!demo) return {};
          std::vector<app::DemoLogin> all = app::demo_logins();
          all.push_back(app::osm_demo_login());
          for (const auto& l : all) {
            auto u = store::users::by_username(s, l.username);
            if (!u.ok() || u->disabled) continue;
            demo_logins.push_back({{"username", l.username},
                                   {"password", l.password},
                                   {"role", l.role},
                                   {"description_zh", l.description_zh},
                                   {"description_en", l.description_en}});
          }
          return {};
        });
        json modules = json::array({
            {{"code", "org"},
             {"name_zh", "组织架构"},
             {"name_en", "Organisation"},
             {"path", "/org"}},
            {{"code", "access"},
             {"name_zh", "15分钟服务圈"},
             {"name_en", "15-minute service circle"},
             {"path", "/access"}},
        });
        return http::json(200, {{"version", "0.1.0"},
                                {"roles", roles},
                                {"levels", levels},
                                {"modules", modules},
                                {"demo", demo},
                                {"demo_logins", demo_logins}});
      },
      open);

  register_access_routes(router, app);
  register_visits_routes(router, app);
  register_dashboard_routes(router, app);
  register_org_routes(router, app);

  // ---- auth ----
  router.add(
      "POST", "/api/v1/auth/login",
      [&app, config](Request& req) {
        auto body = http::parse_json_object(req.body);
        if (!body.ok()) return http::error(body.error(), req);
        http::JsonFields f(*body);
        auto user = f.required_string("username", 64);
        if (!user.ok()) return http::error(user.error(), req);
        auto pw = f.required_string("password", 128);
        if (!pw.ok()) return http::error(pw.error(), req);
        auto r = app.login(*user, *pw, req.remote_address, req.request_id);
        if (!r.ok()) return http::error(r.error(), req);
        auth::Principal p;
        p.user_id = r->user.id;
        p.username = r->user.username;
        p.display_name = r->user.display_name;
        p.role = r->user.role;
        p.scope_code = r->user.scope_code;
        p.unit_id = r->user.unit_id;
        p.must_change_password = r->user.must_change_password;
        Response res =
            http::json(200, {{"user", principal_json(p, app)}, {"csrf_token", r->csrf_token}});
        int64_t max_age = (r->expires_at - app.clock().now_ms()) / 1000;
        res.headers.add("Set-Cookie",
                        session_cookie(r->session_token, max_age, config.secure_cookies));
        return res;
      },
      [] {
        http::RouteOptions o;
        o.public_access = true;
        o.csrf_exempt = true;
        o.body_limit = 4 * 1024;
        return o;
      }());

  router.add("POST", "/api/v1/auth/logout",
             authed(app,
                    [&app, config](Request& req, auth::Principal& p) {
                      auto st = app.logout(p, session_token(req));
                      if (!st.ok()) return http::error(st.error(), req);
                      Response res = http::no_content();
                      res.headers.add("Set-Cookie", session_cookie("", 0, config.secure_cookies));
                      return res;
                    }),
             small);

  router.add("GET", "/api/v1/auth/me", [&app](Request& req) {
    auto who = app.authenticate(session_token(req), req.remote_address, req.request_id);
    if (!who.ok()) return http::error(who.error(), req);
    return http::json(200,
                      {{"user", principal_json(who->first, app)}, {"csrf_token", who->second}});
  });

  router.add("POST", "/api/v1/auth/password",
             authed(app,
                    [&app](Request& req, auth::Principal& p) {
                      auto body = http::parse_json_object(req.body);
                      if (!body.ok()) return http::error(body.error(), req);
                      http::JsonFields f(*body);
                      auto old_pw = f.required_string("old_password", 128);
                      if (!old_pw.ok()) return http::error(old_pw.error(), req);
                      auto new_pw = f.required_string("new_password", 128);
                      if (!new_pw.ok()) return http::error(new_pw.error(), req);
                      return reply_status(app.change_password(p, *old_pw, *new_pw), req);
                    }),
             small);

  // ---- organisation ----
  router.add("GET", "/api/v1/org/root", authed(app, [&app](Request& req, auth::Principal& p) {
               return reply(app.org_root(p), req,
                            [&](const app::NodeView& v) { return node_view_json(v, req.lang()); });
             }));
  router.add("GET", "/api/v1/org/nodes/{code}",
             authed(app, [&app](Request& req, auth::Principal& p) {
               return reply(app.org_node(p, std::string(req.param("code"))), req,
                            [&](const app::NodeView& v) { return node_view_json(v, req.lang()); });
             }));
  router.add("GET", "/api/v1/org/search", authed(app, [&app](Request& req, auth::Principal& p) {
               auto r = app.org_search(p, str_param(req, "q"), int_param(req, "limit", 20, 1, 100));
               return reply(r, req, [&](const std::vector<app::NodeView>& items) {
                 json a = json::array();
                 for (const auto& v : items) {
                   json n = node_json(v.row, req.lang());
                   n["path_names"] = v.path_names;
                   a.push_back(n);
                 }
                 return json{{"items", a}};
               });
             }));
  router.add(
      "GET", "/api/v1/org/grids/{code}", authed(app, [&app](Request& req, auth::Principal& p) {
        auto r = app.org_grid(p, std::string(req.param("code")));
        return reply(r, req, [&](const std::pair<app::NodeView, store::GridRow>& g) {
          json worker = nullptr;
          if (g.second.worker_user_id)
            worker = {{"id", *g.second.worker_user_id},
                      {"display_name", g.second.worker_name},
                      {"phone", g.second.worker_phone}};
          json polygon = nullptr;
          if (!g.second.polygon.empty()) polygon = json::parse(g.second.polygon, nullptr, false);
          return json{
              {"node", node_json(g.first.row, req.lang())},
              {"path", nodes_json(g.first.path, req.lang())},
              {"worker", worker},
              {"households", g.second.households},
              {"residents", g.second.residents},
              {"polygon", polygon.is_discarded() ? json(nullptr) : polygon},
              {"retired_at",
               g.second.retired_at ? json(format_iso8601(*g.second.retired_at)) : json(nullptr)}};
        });
      }));
  router.add("GET", "/api/v1/org/units", authed(app, [&app](Request& req, auth::Principal& p) {
               return reply(app.org_units(p, str_param(req, "q"), str_param(req, "division")), req,
                            [](const std::vector<store::UnitRow>& units) {
                              json a = json::array();
                              for (const auto& u : units)
                                a.push_back({{"id", u.id},
                                             {"name", u.name},
                                             {"kind", u.kind},
                                             {"division_code", u.division_code},
                                             {"retired", u.retired_at.has_value()}});
                              return json{{"items", a}};
                            });
             }));

  // ---- users (administrators) ----
  router.add(
      "GET", "/api/v1/users", authed(app, [&app](Request& req, auth::Principal& p) {
        store::UserFilter f;
        f.q = str_param(req, "q");
        f.role = str_param(req, "role");
        f.page = int_param(req, "page", 1, 1, 1'000'000);
        f.page_size = int_param(req, "page_size", 20, 1, 200);
        return reply(app.list_users(p, f), req, [&](const store::Page<app::UserView>& pg) {
          json a = json::array();
          for (const auto& v : pg.items) a.push_back(user_json(v));
          return json{
              {"items", a}, {"total", pg.total}, {"page", f.page}, {"page_size", f.page_size}};
        });
      }));

  // Staff accounts from a CSV file 批量导入 (as `gongjian user import`): {"csv": "…"};
  // ?dry_run=1 checks only. The generated initial passwords come back once, in this answer.
  http::RouteOptions users_csv;
  users_csv.body_limit = 2 * 1024 * 1024;
  router.add("POST", "/api/v1/users/import",
             authed(app,
                    [&app](Request& req, auth::Principal& p) {
                      auto body = http::parse_json_object(req.body);
                      if (!body.ok()) return http::error(body.error(), req);
                      auto text = http::JsonFields(*body).required_string("csv", 2'000'000);
                      if (!text.ok()) return http::error(text.error(), req);
                      bool dry_run = dry_run_param(req);
                      auto r = app.import_users(&p, *text, dry_run);
                      if (!r.ok()) return http::error(r.error(), req);
                      json problems = json::array();
                      for (const auto& pr : r->problems) {
                        json e = {{"line", pr.line},
                                  {"field", pr.error.field},
                                  {"code", pr.error.public_code()},
                                  {"message", pr.error.message(req.lang())},
                                  {"detail", pr.error.detail}};
                        problems.push_back(std::move(e));
                      }
                      json passwords = json::array();
                      for (const auto& [user, pw] : r->passwords)
                        passwords.push_back({{"username", user}, {"password", pw}});
                      json report = {{"dry_run", dry_run},   {"ok", r->problems.empty()},
                                     {"read", r->read},      {"added", r->added},
                                     {"problems", problems}, {"passwords", passwords}};
                      if (r->problems.empty() || dry_run) {
                        Response res = http::json(200, report);
                        res.headers.add("Cache-Control", "no-store");
                        return res;
                      }
                      return import_rejected(req, report, std::to_string(r->problems.size()),
                                             "账号", "no account was added");
                    }),
             users_csv);

  router.add("POST", "/api/v1/users",
             authed(app,
                    [&app](Request& req, auth::Principal& p) {
                      auto body = http::parse_json_object(req.body);
                      if (!body.ok()) return http::error(body.error(), req);
                      http::JsonFields f(*body);
                      app::NewUser n;
                      auto username = f.required_string("username", 32);
                      if (!username.ok()) return http::error(username.error(), req);
                      auto display = f.required_string("display_name", 64);
                      if (!display.ok()) return http::error(display.error(), req);
                      auto pw = f.required_string("password", 128);
                      if (!pw.ok()) return http::error(pw.error(), req);
                      auto role = f.required_string("role", 32);
                      if (!role.ok()) return http::error(role.error(), req);
                      auto scope = f.optional_string("scope_code", 15);
                      if (!scope.ok()) return http::error(scope.error(), req);
                      auto unit = f.optional_int("unit_id", 1);
                      if (!unit.ok()) return http::error(unit.error(), req);
                      auto phone = f.optional_string("phone", 20);
                      if (!phone.ok()) return http::error(phone.error(), req);
                      auto idn = f.optional_string("id_number", 18);
                      if (!idn.ok()) return http::error(idn.error(), req);
                      auto email = f.optional_string("email", 254);
                      if (!email.ok()) return http::error(email.error(), req);
                      auto language = f.optional_string("language", 8);
                      if (!language.ok()) return http::error(language.error(), req);
                      n.username = *username;
                      n.display_name = *display;
                      n.password = *pw;
                      n.role = *role;
                      n.scope_code = scope->value_or("");
                      n.unit_id = *unit;
                      n.phone = phone->value_or("");
                      n.id_number = idn->value_or("");
                      n.email = email->value_or("");
                      n.language = language->value_or("");
                      return reply(app.create_user(p, n), req, user_json, 201);
                    }),
             small);

  router.add("PATCH", "/api/v1/users/{id}",
             authed(app,
                    [&app](Request& req, auth::Principal& p) {
                      auto id = path_id(req);
                      if (!id) return http::error(make_error(ErrorCode::kNotFound), req);
                      auto body = http::parse_json_object(req.body);
                      if (!body.ok()) return http::error(body.error(), req);
                      http::JsonFields f(*body);
                      app::UserPatch patch;
                      auto display = f.optional_string("display_name", 64);
                      if (!display.ok()) return http::error(display.error(), req);
                      auto role = f.optional_string("role", 32);
                      if (!role.ok()) return http::error(role.error(), req);
                      auto scope = f.optional_string("scope_code", 15);
                      if (!scope.ok()) return http::error(scope.error(), req);
                      auto unit = f.optional_int("unit_id", 1);
                      if (!unit.ok()) return http::error(unit.error(), req);
                      auto phone = f.optional_string("phone", 20);
                      if (!phone.ok()) return http::error(phone.error(), req);
                      auto email = f.optional_string("email", 254);
                      if (!email.ok()) return http::error(email.error(), req);
                      auto language = f.optional_string("language", 8);
                      if (!language.ok()) return http::error(language.error(), req);
                      auto disabled = f.optional_bool("disabled");
                      if (!disabled.ok()) return http::error(disabled.error(), req);
                      patch.display_name = *display;
                      patch.role = *role;
                      patch.scope_code = *scope;
                      patch.unit_id = *unit;
                      patch.phone = *phone;
                      patch.email = *email;
                      patch.language = *language;
                      patch.disabled = *disabled;
                      return reply(app.update_user(p, *id, patch), req, user_json);
                    }),
             small);

  router.add("POST", "/api/v1/users/{id}/password",
             authed(app,
                    [&app](Request& req, auth::Principal& p) {
                      auto id = path_id(req);
                      if (!id) return http::error(make_error(ErrorCode::kNotFound), req);
                      auto body = http::parse_json_object(req.body);
                      if (!body.ok()) return http::error(body.error(), req);
                      auto pw = http::JsonFields(*body).required_string("password", 128);
                      if (!pw.ok()) return http::error(pw.error(), req);
                      return reply_status(app.reset_password(p, *id, *pw), req);
                    }),
             small);

  router.add("GET", "/api/v1/users/{id}/pii", authed(app, [&app](Request& req, auth::Principal& p) {
               auto id = path_id(req);
               if (!id) return http::error(make_error(ErrorCode::kNotFound), req);
               return reply(app.read_user_pii(p, *id), req, [](const app::UserView& v) {
                 return json{{"phone", v.user.phone},
                             {"id_number", v.user.id_number},
                             {"email", v.user.email}};
               });
             }));

  // ---- audit ----
  router.add(
      "GET", "/api/v1/audit", authed(app, [&app](Request& req, auth::Principal& p) {
        store::AuditFilter f;
        f.actor = str_param(req, "actor");
        f.action = str_param(req, "action");
        int64_t t;
        if (parse_iso8601(str_param(req, "from"), t)) f.from = t;
        if (parse_iso8601(str_param(req, "to"), t)) f.to = t;
        f.page = int_param(req, "page", 1, 1, 1'000'000);
        f.page_size = int_param(req, "page_size", 20, 1, 200);
        return reply(app.list_audit(p, f), req, [&](const store::Page<store::AuditEntry>& pg) {
          json a = json::array();
          for (const auto& e : pg.items)
            a.push_back({{"id", e.id},
                         {"at", format_iso8601(e.at)},
                         {"actor_id", e.actor_id ? json(*e.actor_id) : json(nullptr)},
                         {"actor_name", e.actor_name},
                         {"action", e.action},
                         {"target_type", e.target_type},
                         {"target_id", e.target_id},
                         {"detail", e.detail},
                         {"ip", e.ip},
                         {"request_id", e.request_id}});
          return json{
              {"items", a}, {"total", pg.total}, {"page", f.page}, {"page_size", f.page_size}};
        });
      }));
}

}  // namespace gj::api
