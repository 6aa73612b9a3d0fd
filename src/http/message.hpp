// Request and Response as plain values: the router, the handlers and the tests see only these,
// never a socket or a Beast type (style.md: Beast's pure handle_request, OSRM's service layer).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/result.hpp"

namespace gj::http {

// ASCII case-insensitive comparison, as HTTP field names need.
bool iequals(std::string_view a, std::string_view b);

// Header fields in arrival order; names compare case-insensitively. A flat vector, because a
// request carries a dozen fields and a map would allocate a node for each.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // First value of `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  std::string_view get_or(std::string_view name, std::string_view fallback = {}) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Replaces every field named `name` with one field.
  void set(std::string_view name, std::string_view value);
  // Adds a field even if one with that name exists (Set-Cookie).
  void add(std::string_view name, std::string_view value);
  void erase(std::string_view name);

  const std::vector<Field>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  void reserve(size_t n) { fields_.reserve(n); }
  void clear() { fields_.clear(); }

 private:
  std::vector<Field> fields_;
};

// Query and form parameters, percent-decoded; a name may repeat.
using Params = std::multimap<std::string, std::string, std::less<>>;

struct RouteOptions;

struct Request {
  std::string method;  // "GET", "POST", … (upper case as sent)
  std::string target;  // as sent: path plus query
  std::string path;    // target without the query, not decoded (the router decodes parameters)
  Params query;        // decoded query parameters
  Headers headers;
  std::string body;
  std::string remote_address;  // peer IP as text ("" outside a socket)
  std::string request_id;      // filled by handle() if empty
  // Filled by the router: {name} segments of the matched pattern, percent-decoded.
  std::vector<std::pair<std::string, std::string>> path_params;
  // The matched route's options, so middleware can see e.g. whether it is public.
  const RouteOptions* route = nullptr;

  // Value of a path parameter ("" when absent: patterns are fixed, so absence is a bug).
  std::string_view param(std::string_view name) const;
  // First query parameter with this name.
  std::optional<std::string_view> query_param(std::string_view name) const;
  Lang lang() const;
  bool is_api() const;  // path starts with /api/ (or is /api)
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::string content_type;  // "" means no Content-Type (e.g. 204, 304)

  Response() = default;
  Response(int s, std::string b, std::string type)
      : status(s), body(std::move(b)), content_type(std::move(type)) {}
};

// Splits a request target into path and decoded query; Error kBadRequest / kInvalidUtf8 on a
// malformed query.
gj::Status split_target(Request& req);

// JSON response with `application/json; charset=utf-8`.
Response json(int status, const nlohmann::json& body);
Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
Response no_content();

// {"error":{"code":…,"message":…,"field":…,"request_id":…}} with the catalogue's HTTP status.
// The request id is taken from the request being handled on this thread (handle() sets it)
// unless given.
Response error(const gj::Error& err, gj::Lang lang, std::string_view request_id = {});
Response error(const gj::Error& err, const Request& req);

// The id of the request handle() is running on this thread ("" outside a request): lets
// error() and log lines name the request without threading it through every call.
std::string_view current_request_id();
class ScopedRequestId {
 public:
  explicit ScopedRequestId(std::string_view id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

 private:
  std::string_view previous_;
};

// Short random request ids (12 characters of [0-9a-z]); not secrets, so a per-thread PRNG
// seeded from the system RNG is enough and costs nanoseconds.
std::string new_request_id();
// A request id from a trusted proxy is accepted when 1–64 characters of [A-Za-z0-9._-].
bool is_well_formed_request_id(std::string_view id);

}  // namespace gj::http
