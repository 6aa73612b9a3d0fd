#include "echo_routes.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "http/body.hpp"

namespace http = gj::http;
using nlohmann::json;

namespace {

struct Sessions {
  std::mutex mu;
  struct Entry {
    std::string user, csrf;
  };
  std::map<std::string, Entry> by_sid;
  gj::RandomIdGenerator ids;
};

std::string cookie_value(const http::Request& req, std::string_view name) {
  std::string_view c = req.headers.get_or("Cookie");
  while (!c.empty()) {
    auto semi = c.find(';');
    auto part = c.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.starts_with(name) && part.size() > name.size() && part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    if (semi == std::string_view::npos) break;
    c.remove_prefix(semi + 1);
  }
  return {};
}

}  // namespace

void add_echo_routes(http::Router& router) {
  auto state = std::make_shared<Sessions>();

  // Session auth and CSRF as the integrator will do it: a middleware on matched routes.
  router.use([state](http::Request& req) -> std::optional<http::Response> {
    if (req.route->public_access) return std::nullopt;
    std::string sid = cookie_value(req, "sid");
    std::lock_guard lock(state->mu);
    auto it = state->by_sid.find(sid);
    if (sid.empty() || it == state->by_sid.end())
      return http::error(gj::make_error(gj::ErrorCode::kUnauthenticated), req);
    bool unsafe = req.method != "GET" && req.method != "HEAD";
    if (unsafe && !req.route->csrf_exempt && req.headers.get_or("X-CSRF-Token") != it->second.csrf)
      return http::error(gj::make_error(gj::ErrorCode::kCsrf), req);
    req.headers.set("X-Echo-User", it->second.user);  // passes the user on to the handler
    return std::nullopt;
  });

  http::RouteOptions open;
  open.public_access = true;
  router.add(
      "POST", "/api/v1/auth/login",
      [state](http::Request& req) {
        auto body = http::parse_json_object(req.body);
        if (!body.ok()) return http::error(body.error(), req);
        http::JsonFields f(*body);
        auto user = f.required_string("user", 32);
        if (!user.ok()) return http::error(user.error(), req);
        std::string sid = state->ids.token(), csrf = state->ids.token();
        {
          std::lock_guard lock(state->mu);
          state->by_sid[sid] = {*user, csrf};
        }
        auto res = http::json(200, {{"user", *user}, {"csrf_token", csrf}});
        res.headers.add("Set-Cookie", "sid=" + sid + "; Path=/; HttpOnly; SameSite=Strict");
        return res;
      },
      open);
  router.add("POST", "/api/v1/auth/logout", [state](http::Request& req) {
    std::lock_guard lock(state->mu);
    state->by_sid.erase(cookie_value(req, "sid"));
    auto res = http::no_content();
    res.headers.add("Set-Cookie", "sid=; Path=/; Max-Age=0");
    return res;
  });
  router.add("GET", "/api/v1/me", [](http::Request& req) {
    return http::json(200, {{"user", req.headers.get_or("X-Echo-User")}});
  });
  router.add("POST", "/api/v1/echo", [](http::Request& req) {
    auto body = http::parse_json(req.body);
    if (!body.ok()) return http::error(body.error(), req);
    gj::SystemClock clock;
    return http::json(201, {{"echo", *body},
                            {"user", req.headers.get_or("X-Echo-User")},
                            {"at", gj::format_iso8601(clock.now_ms())},
                            {"request_id", req.request_id}});
  });
  http::RouteOptions small = open;
  small.body_limit = 16;
  router.add(
      "POST", "/api/v1/small",
      [](http::Request& req) {
        return http::json(200, {{"size", req.body.size()}});
      },
      small);
  router.add(
      "GET", "/api/v1/items/{id}",
      [](http::Request& req) {
        json q = json::object();
        for (const auto& [k, v] : req.query) q[k] = v;
        return http::json(200, {{"id", req.param("id")}, {"query", q}, {"tags", {"a", "b", "c"}}});
      },
      open);
  router.add(
      "POST", "/api/v1/form",
      [](http::Request& req) {
        auto p = http::parse_urlencoded(req.body);
        if (!p.ok()) return http::error(p.error(), req);
        json o = json::object();
        for (const auto& [k, v] : *p) o[k] = v;
        return http::json(200, o);
      },
      open);
  router.add(
      "GET", "/api/v1/slow",
      [](http::Request& req) {
        auto ms = std::stoi(std::string(req.query_param("ms").value_or("100")));
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        return http::json(200, {{"slept_ms", ms}});
      },
      open);
  router.add(
      "GET", "/api/v1/boom",
      [](http::Request&) -> http::Response { throw std::runtime_error("deliberate failure"); },
      open);
}
