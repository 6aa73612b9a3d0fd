#include "api/session.hpp"

namespace gj::api {

std::string cookie_value(const http::Request& req, std::string_view name) {
  auto header = req.headers.get("Cookie");
  if (!header) return {};
  std::string_view h = *header;
  while (!h.empty()) {
    size_t semi = h.find(';');
    std::string_view part = h.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    if (semi == std::string_view::npos) break;
    h.remove_prefix(semi + 1);
  }
  return {};
}

http::Handler authed(app::App& app, AuthedHandler h) {
  return [&app, h = std::move(h)](http::Request& req) -> http::Response {
    auto who = app.authenticate(session_token(req), req.remote_address, req.request_id);
    if (!who.ok()) return http::error(who.error(), req);
    bool safe = req.method == "GET" || req.method == "HEAD";
    if (!safe && req.headers.get_or("X-CSRF-Token") != who->second)
      return http::error(make_error(ErrorCode::kCsrf), req);
    // A generated initial password opens the account for one thing only: choosing a new one
    // (and signing out). GET /auth/me is not behind this wrapper and reports the flag.
    if (who->first.must_change_password && req.path != "/api/v1/auth/password" &&
        req.path != "/api/v1/auth/logout")
      return http::error(make_error(ErrorCode::kPasswordChangeRequired), req);
    return h(req, who->first);
  };
}

}  // namespace gj::api
