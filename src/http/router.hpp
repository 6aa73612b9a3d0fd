// Router: method + path pattern → handler, and the pure request → response function that
// wraps every answer in the same rules (errors from the catalogue, security headers, request
// ids, body limits). No socket here: tests call handle() directly (Beast's handle_request,
// OSRM's request_handler).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace gj::http {

class StaticFiles;
struct Route;

struct RouteOptions {
  size_t body_limit = 64 * 1024;  // bytes; enforced while reading and again in handle()
  // Hints for the integrator's middleware (session auth, CSRF); the router itself ignores them.
  bool public_access = false;  // no session needed (login, Open311 citizen submissions)
  bool csrf_exempt = false;    // e.g. form POSTs from other systems authenticated by API key
  // Run on the I/O thread instead of the worker pool: only for handlers that never block
  // (health checks). Everything that touches storage must leave this false.
  bool run_inline = false;
};

using Handler = std::function<Response(Request&)>;
// Runs before the handler of a matched route; a returned Response short-circuits (401, 403…).
using Middleware = std::function<std::optional<Response>(Request&)>;
// Runs on every response (handler, error, static file) before the security headers are added.
using AfterHook = std::function<void(const Request&, Response&)>;

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Pattern segments are literal or `{name}`: "/api/v1/org/nodes/{code}". HEAD is answered by
  // GET routes. Adding the same method + pattern twice replaces the handler.
  void add(std::string_view method, std::string_view pattern, Handler handler,
           RouteOptions options = {});
  void use(Middleware m) { middleware_.push_back(std::move(m)); }
  void after(AfterHook h) { after_.push_back(std::move(h)); }
  // Serve a built single-page app (web/dist) for GET/HEAD of paths outside /api.
  void serve_static(std::shared_ptr<const StaticFiles> files) { static_ = std::move(files); }
  // Accept X-Request-Id from the client (set only behind a proxy that sets it itself).
  void trust_request_id_header(bool trust) { trust_request_id_ = trust; }

  struct Match {
    const Route* route = nullptr;
    const RouteOptions* options =
        nullptr;                // the matched route's options  // set when method and path match
    bool path_matched = false;  // path known, method not (→ 405)
    std::string allow;          // methods allowed on the path, for Allow
  };
  // Matching only, also used by the server to pick the body limit before reading the body.
  Match match(std::string_view method, std::string_view path,
              std::vector<std::pair<std::string, std::string>>* params = nullptr) const;
  size_t body_limit_for(std::string_view method, std::string_view path) const;
  // The largest body any route accepts (the parser's limit before the route is known).
  size_t max_body_limit() const { return max_body_limit_; }

 private:
  friend Response handle(const Router&, Request&);
  std::vector<std::unique_ptr<struct Route>> routes_;
  std::vector<Middleware> middleware_;
  std::vector<AfterHook> after_;
  std::shared_ptr<const StaticFiles> static_;
  size_t max_body_limit_ = 64 * 1024;
  bool trust_request_id_ = true;
};

// The whole HTTP behaviour of the platform minus the socket: 404 kNoRoute, 405 with Allow,
// 413 past the route's body limit, middleware, handler (any exception → 500 kInternal, logged
// with the request id), after-hooks, security headers, X-Request-Id, Cache-Control on /api.
Response handle(const Router& router, Request& req);

// Headers added to every response (Content-Security-Policy fits a Vue + Element Plus +
// ECharts + Leaflet SPA that loads nothing from other origins).
void add_security_headers(Response& res);
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'";

}  // namespace gj::http
