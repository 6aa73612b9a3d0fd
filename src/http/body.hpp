// Request bodies: application/x-www-form-urlencoded (Open311 POSTs, query strings) and JSON,
// with UTF-8 validation at the edge so the domain only ever sees valid text.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "http/message.hpp"

namespace gj::http {

// Percent-decoding; `plus_is_space` for form encoding. False on a broken %XX escape.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);

// Parses `a=1&b=%E4%B8%AD&c` (form bodies and query strings). Errors: kBadRequest for a broken
// escape, kInvalidUtf8 (field = the parameter name, or "" for a bad name) for invalid text.
Result<Params> parse_urlencoded(std::string_view text);
// Appends into an existing multimap (used for the query string).
gj::Status parse_urlencoded_into(std::string_view text, Params& out);

// Parses a JSON document: kInvalidUtf8 when the bytes are not UTF-8, kBadJson otherwise.
Result<nlohmann::json> parse_json(std::string_view body);
// As parse_json, and the top level must be an object (kBadJson if not).
Result<nlohmann::json> parse_json_object(std::string_view body);

// Typed access to the fields of a JSON object, each failure an Error naming the field:
// kMissingField (absent or null when required), kWrongType, kTooLong (length counted in
// characters, as users count Chinese text), kInvalidUtf8, kInvalidInput (enum not in list,
// integer out of range).
class JsonFields {
 public:
  explicit JsonFields(const nlohmann::json& object) : obj_(object) {}

  Result<std::string> required_string(std::string_view name, size_t max_chars) const;
  Result<std::optional<std::string>> optional_string(std::string_view name, size_t max_chars) const;
  Result<int64_t> required_int(std::string_view name, int64_t min = INT64_MIN,
                               int64_t max = INT64_MAX) const;
  Result<std::optional<int64_t>> optional_int(std::string_view name, int64_t min = INT64_MIN,
                                              int64_t max = INT64_MAX) const;
  Result<bool> required_bool(std::string_view name) const;
  Result<std::optional<bool>> optional_bool(std::string_view name) const;
  // A string that must be one of `allowed`.
  Result<std::string> required_enum(std::string_view name,
                                    std::initializer_list<std::string_view> allowed) const;
  Result<std::optional<std::string>> optional_enum(
      std::string_view name, std::initializer_list<std::string_view> allowed) const;
  // "lat" and "lon" (WGS-84 degrees), each optional: kWrongType naming the one that is not a
  // number; kInvalidInput on the field "location" when one lies outside ±90 / ±180.
  struct LatLon {
    std::optional<double> lat, lon;
  };
  Result<LatLon> optional_lat_lon() const;

 private:
  // nullptr when absent or null.
  const nlohmann::json* find(std::string_view name) const;
  const nlohmann::json& obj_;
};

}  // namespace gj::http
