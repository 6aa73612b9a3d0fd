#include "http/body.hpp"

#include <cmath>
#include <tuple>

#include "common/text.hpp"

namespace gj::http {
namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int h = hex_value(in[i + 1]), l = hex_value(in[i + 2]);
      if (h < 0 || l < 0) return false;
      out.push_back(static_cast<char>(h * 16 + l));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

gj::Status parse_urlencoded_into(std::string_view text, Params& out) {
  std::string name, value;
  while (!text.empty()) {
    auto amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (!percent_decode(raw_name, name, true))
      return make_error(ErrorCode::kBadRequest, "broken percent escape in a parameter name");
    if (!is_valid_utf8(name)) return make_error(ErrorCode::kInvalidUtf8, "parameter name");
    if (!percent_decode(raw_value, value, true))
      return make_error(ErrorCode::kBadRequest, "broken percent escape", name);
    if (!is_valid_utf8(value)) return make_error(ErrorCode::kInvalidUtf8, "parameter value", name);
    out.emplace(name, value);
  }
  return {};
}

Result<Params> parse_urlencoded(std::string_view text) {
  Params p;
  GJ_TRY(parse_urlencoded_into(text, p));
  return p;
}

Result<nlohmann::json> parse_json(std::string_view body) {
  if (!is_valid_utf8(body)) return make_error(ErrorCode::kInvalidUtf8, "request body");
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(ErrorCode::kBadJson, "request body");
  return j;
}

Result<nlohmann::json> parse_json_object(std::string_view body) {
  auto j = parse_json(body);
  if (j.ok() && !j->is_object())
    return make_error(ErrorCode::kBadJson, "the request body must be a JSON object");
  return j;
}

const nlohmann::json* JsonFields::find(std::string_view name) const {
  if (!obj_.is_object()) return nullptr;
  auto it = obj_.find(name);
  if (it == obj_.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::optional<std::string>> JsonFields::optional_string(std::string_view name,
                                                               size_t max_chars) const {
  const auto* v = find(name);
  if (!v) return std::optional<std::string>{};
  if (!v->is_string())
    return make_error(ErrorCode::kWrongType, "expected a string", std::string(name));
  const auto& s = v->get_ref<const std::string&>();
  if (!is_valid_utf8(s)) return make_error(ErrorCode::kInvalidUtf8, {}, std::string(name));
  if (utf8_length(s) > max_chars)
    return make_error(ErrorCode::kTooLong, "at most " + std::to_string(max_chars) + " characters",
                      std::string(name));
  return std::optional<std::string>(s);
}

Result<JsonFields::LatLon> JsonFields::optional_lat_lon() const {
  LatLon out;
  for (auto [name, limit, into] : {std::tuple{"lat", 90.0, &out.lat}, {"lon", 180.0, &out.lon}}) {
    const auto* v = find(name);
    if (!v) continue;
    if (!v->is_number()) return make_error(ErrorCode::kWrongType, "a number", name);
    double d = v->get<double>();
    if (!std::isfinite(d) || d < -limit || d > limit)
      return make_error(ErrorCode::kInvalidInput, "out of range", "location");
    *into = d;
  }
  return out;
}

Result<std::string> JsonFields::required_string(std::string_view name, size_t max_chars) const {
  GJ_ASSIGN_OR_RETURN(auto v, optional_string(name, max_chars));
  if (!v) return make_error(ErrorCode::kMissingField, {}, std::string(name));
  return std::move(*v);
}

Result<std::optional<int64_t>> JsonFields::optional_int(std::string_view name, int64_t min,
                                                        int64_t max) const {
  const auto* v = find(name);
  if (!v) return std::optional<int64_t>{};
  int64_t n;
  if (v->is_number_integer()) {
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      return make_error(ErrorCode::kInvalidInput, "integer out of range", std::string(name));
    n = v->get<int64_t>();
  } else {
    return make_error(ErrorCode::kWrongType, "expected an integer", std::string(name));
  }
  if (n < min || n > max)
    return make_error(ErrorCode::kInvalidInput,
                      "must be between " + std::to_string(min) + " and " + std::to_string(max),
                      std::string(name));
  return std::optional<int64_t>(n);
}

Result<int64_t> JsonFields::required_int(std::string_view name, int64_t min, int64_t max) const {
  GJ_ASSIGN_OR_RETURN(auto v, optional_int(name, min, max));
  if (!v) return make_error(ErrorCode::kMissingField, {}, std::string(name));
  return *v;
}

Result<std::optional<bool>> JsonFields::optional_bool(std::string_view name) const {
  const auto* v = find(name);
  if (!v) return std::optional<bool>{};
  if (!v->is_boolean())
    return make_error(ErrorCode::kWrongType, "expected true or false", std::string(name));
  return std::optional<bool>(v->get<bool>());
}

Result<bool> JsonFields::required_bool(std::string_view name) const {
  GJ_ASSIGN_OR_RETURN(auto v, optional_bool(name));
  if (!v) return make_error(ErrorCode::kMissingField, {}, std::string(name));
  return *v;
}

Result<std::optional<std::string>> JsonFields::optional_enum(
    std::string_view name, std::initializer_list<std::string_view> allowed) const {
  GJ_ASSIGN_OR_RETURN(auto v, optional_string(name, SIZE_MAX));
  if (!v) return v;
  for (auto a : allowed)
    if (*v == a) return v;
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  return make_error(ErrorCode::kInvalidInput, "must be one of: " + list, std::string(name));
}

Result<std::string> JsonFields::required_enum(
    std::string_view name, std::initializer_list<std::string_view> allowed) const {
  GJ_ASSIGN_OR_RETURN(auto v, optional_enum(name, allowed));
  if (!v) return make_error(ErrorCode::kMissingField, {}, std::string(name));
  return std::move(*v);
}

}  // namespace gj::http
