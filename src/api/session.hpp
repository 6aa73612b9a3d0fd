// Sessions at the HTTP edge, in one place for every API file: the session cookie and the
// wrapper that resolves it to a Principal and enforces the CSRF token on unsafe methods.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "app/app.hpp"
#include "http/router.hpp"

namespace gj::api {

inline constexpr const char* kSessionCookie = "gj_session";

// Value of cookie `name` in the request's Cookie header ("" if absent).
std::string cookie_value(const http::Request& req, std::string_view name);
inline std::string session_token(const http::Request& req) {
  return cookie_value(req, kSessionCookie);
}

// A handler that needs a signed-in principal: 401 without a live session, 403 csrf when a
// state-changing request lacks the session's CSRF token.
using AuthedHandler = std::function<http::Response(http::Request&, auth::Principal&)>;
http::Handler authed(app::App& app, AuthedHandler h);

}  // namespace gj::api
