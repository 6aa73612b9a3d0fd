#include "http/router.hpp"

#include <exception>

#include "common/log.hpp"
#include "common/text.hpp"
#include "http/body.hpp"
#include "http/static_files.hpp"

namespace gj::http {

struct Route {
  std::string method;
  std::string pattern;
  // Pattern split at '/'; a segment starting with '{' is a parameter named by its inside.
  struct Segment {
    std::string text;
    bool param;
  };
  std::vector<Segment> segments;
  Handler handler;
  RouteOptions options;
};

namespace {

// Splits "/a/b/c" into {"a","b","c"}; a trailing slash gives an empty last segment.
template <typename F>
void for_each_segment(std::string_view path, F&& f) {
  if (path.starts_with('/')) path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    f(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
}

bool path_matches(const Route& r, std::string_view path,
                  std::vector<std::pair<std::string, std::string>>* params) {
  size_t i = 0;
  bool ok = true;
  if (params) params->clear();
  for_each_segment(path, [&](std::string_view seg) {
    if (!ok) return;
    if (i >= r.segments.size()) {
      ok = false;
      return;
    }
    const auto& s = r.segments[i++];
    if (s.param) {
      if (seg.empty())
        ok = false;
      else if (params)
        params->emplace_back(s.text, std::string(seg));
    } else if (seg != s.text) {
      ok = false;
    }
  });
  return ok && i == r.segments.size();
}

bool method_matches(std::string_view route_method, std::string_view method) {
  return route_method == method || (method == "HEAD" && route_method == "GET");
}

}  // namespace

Router::Router() = default;
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::add(std::string_view method, std::string_view pattern, Handler handler,
                 RouteOptions options) {
  for (auto& r : routes_) {
    if (r->method == method && r->pattern == pattern) {
      r->handler = std::move(handler);
      r->options = options;
      max_body_limit_ = std::max(max_body_limit_, options.body_limit);
      return;
    }
  }
  auto r = std::make_unique<Route>();
  r->method = std::string(method);
  r->pattern = std::string(pattern);
  for_each_segment(pattern, [&](std::string_view seg) {
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}')
      r->segments.push_back({std::string(seg.substr(1, seg.size() - 2)), true});
    else
      r->segments.push_back({std::string(seg), false});
  });
  r->handler = std::move(handler);
  r->options = options;
  max_body_limit_ = std::max(max_body_limit_, options.body_limit);
  routes_.push_back(std::move(r));
}

Router::Match Router::match(std::string_view method, std::string_view path,
                            std::vector<std::pair<std::string, std::string>>* params) const {
  Match m;
  for (const auto& r : routes_) {
    if (!path_matches(*r, path, nullptr)) continue;
    if (method_matches(r->method, method)) {
      m.route = r.get();
      m.options = &r->options;
      if (params) path_matches(*r, path, params);
      return m;
    }
    m.path_matched = true;
    if (m.allow.find(r->method) == std::string::npos) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += r->method;
      if (r->method == "GET") m.allow += ", HEAD";
    }
  }
  return m;
}

size_t Router::body_limit_for(std::string_view method, std::string_view path) const {
  auto m = match(method, path);
  return m.route ? m.route->options.body_limit : 0;
}

void add_security_headers(Response& res) {
  auto& h = res.headers;
  h.reserve(h.size() + 8);
  h.set("Content-Security-Policy", kContentSecurityPolicy);
  h.set("X-Content-Type-Options", "nosniff");
  h.set("X-Frame-Options", "DENY");
  h.set("Referrer-Policy", "same-origin");
}

namespace {

Response dispatch(const Router& router, Request& req, const Router::Match& m,
                  const std::vector<Middleware>& middleware) {
  const Route& route = *m.route;
  req.route = &route.options;
  if (req.body.size() > route.options.body_limit)
    return error(make_error(ErrorCode::kPayloadTooLarge), req);
  for (auto& [name, value] : req.path_params) {
    std::string decoded;
    if (!percent_decode(value, decoded, false))
      return error(make_error(ErrorCode::kBadRequest, "broken percent escape", name), req);
    if (!is_valid_utf8(decoded)) return error(make_error(ErrorCode::kInvalidUtf8, {}, name), req);
    value = std::move(decoded);
  }
  for (const auto& mw : middleware) {
    if (auto r = mw(req)) return std::move(*r);
  }
  return route.handler(req);
}

}  // namespace

Response handle(const Router& router, Request& req) {
  if (req.request_id.empty()) {
    auto given = router.trust_request_id_ ? req.headers.get("X-Request-Id") : std::nullopt;
    req.request_id =
        given && is_well_formed_request_id(*given) ? std::string(*given) : new_request_id();
  }
  ScopedRequestId scope(req.request_id);
  if (req.path.empty()) {
    auto st = split_target(req);
    if (!st.ok()) {
      Response r = error(st.error(), req);
      add_security_headers(r);
      r.headers.set("X-Request-Id", req.request_id);
      return r;
    }
  }

  Response res;
  try {
    auto m = router.match(req.method, req.path, &req.path_params);
    if (m.route) {
      res = dispatch(router, req, m, router.middleware_);
    } else if (m.path_matched) {
      res = error(make_error(ErrorCode::kMethodNotAllowed), req);
      res.headers.set("Allow", m.allow);
    } else if (router.static_ && !req.is_api() && (req.method == "GET" || req.method == "HEAD")) {
      res = router.static_->serve(req);
    } else {
      res = error(make_error(ErrorCode::kNoRoute), req);
    }
    for (const auto& h : router.after_) h(req, res);
  } catch (const std::exception& e) {
    gj::log::error("http.handler_exception", {{"request_id", req.request_id},
                                              {"method", req.method},
                                              {"path", req.path},
                                              {"what", e.what()}});
    res = error(make_error(ErrorCode::kInternal), req);
  } catch (...) {
    gj::log::error("http.handler_exception", {{"request_id", req.request_id},
                                              {"method", req.method},
                                              {"path", req.path},
                                              {"what", "non-standard exception"}});
    res = error(make_error(ErrorCode::kInternal), req);
  }
  add_security_headers(res);
  if (req.is_api() && !res.headers.has("Cache-Control"))
    res.headers.set("Cache-Control", "no-store");
  res.headers.set("X-Request-Id", req.request_id);
  return res;
}

}  // namespace gj::http
