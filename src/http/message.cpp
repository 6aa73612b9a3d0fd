#include "http/message.hpp"

#include <nlohmann/json.hpp>

#include <random>

#include "common/ids.hpp"
#include "http/body.hpp"

namespace gj::http {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x += 32;
    if (y >= 'A' && y <= 'Z') y += 32;
    if (x != y) return false;
  }
  return true;
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [k, v] : fields_)
    if (iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

std::string_view Headers::get_or(std::string_view name, std::string_view fallback) const {
  auto v = get(name);
  return v ? *v : fallback;
}

void Headers::set(std::string_view name, std::string_view value) {
  bool done = false;
  for (auto it = fields_.begin(); it != fields_.end();) {
    if (iequals(it->first, name)) {
      if (!done) {
        it->second.assign(value);
        done = true;
        ++it;
      } else {
        it = fields_.erase(it);
      }
    } else {
      ++it;
    }
  }
  if (!done) fields_.emplace_back(std::string(name), std::string(value));
}

void Headers::add(std::string_view name, std::string_view value) {
  fields_.emplace_back(std::string(name), std::string(value));
}

void Headers::erase(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return iequals(f.first, name); });
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& [k, v] : path_params)
    if (k == name) return v;
  return {};
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

Lang Request::lang() const {
  return parse_lang(headers.get_or("Accept-Language"));
}

bool Request::is_api() const {
  return path == "/api" || path.starts_with("/api/");
}

gj::Status split_target(Request& req) {
  std::string_view t = req.target;
  auto q = t.find('?');
  if (q == std::string_view::npos) {
    req.path.assign(t);
    return {};
  }
  req.path.assign(t.substr(0, q));
  return parse_urlencoded_into(t.substr(q + 1), req.query);
}

Response json(int status, const nlohmann::json& body) {
  // Invalid UTF-8 cannot reach here from our parsers; `replace` keeps a stray byte from a
  // programmer error from turning a response into an exception.
  return Response(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

Response text(int status, std::string body, std::string content_type) {
  return Response(status, std::move(body), std::move(content_type));
}

Response no_content() {
  Response r;
  r.status = 204;
  return r;
}

namespace {
thread_local std::string_view t_request_id;
}

std::string_view current_request_id() {
  return t_request_id;
}

ScopedRequestId::ScopedRequestId(std::string_view id) : previous_(t_request_id) {
  t_request_id = id;
}
ScopedRequestId::~ScopedRequestId() {
  t_request_id = previous_;
}

Response error(const gj::Error& err, gj::Lang lang, std::string_view request_id) {
  if (request_id.empty()) request_id = t_request_id;
  nlohmann::json e = {{"code", err.public_code()}, {"message", err.message(lang)}};
  if (!err.field.empty()) e["field"] = err.field;
  if (!request_id.empty()) e["request_id"] = request_id;
  return json(err.http_status(), nlohmann::json{{"error", std::move(e)}});
}

Response error(const gj::Error& err, const Request& req) {
  return error(err, req.lang(), req.request_id);
}

std::string new_request_id() {
  thread_local std::mt19937_64 rng = [] {
    unsigned char seed[8];
    random_bytes(seed, sizeof seed);
    uint64_t s = 0;
    for (unsigned char b : seed) s = (s << 8) | b;
    return std::mt19937_64(s);
  }();
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string id(12, '0');
  uint64_t a = rng(), b = rng();
  for (int i = 0; i < 6; ++i, a /= 36) id[i] = kAlphabet[a % 36];
  for (int i = 6; i < 12; ++i, b /= 36) id[i] = kAlphabet[b % 36];
  return id;
}

bool is_well_formed_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace gj::http
