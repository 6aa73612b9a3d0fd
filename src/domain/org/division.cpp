#include "domain/org/division.hpp"

#include <algorithm>
#include <array>

namespace gj::org {
namespace {
struct KindRow {
  Kind kind;
  std::string_view code;
};
constexpr std::array kKinds = {
    KindRow{Kind::kProvince, "province"},   KindRow{Kind::kCity, "city"},
    KindRow{Kind::kCounty, "county"},       KindRow{Kind::kTownship, "township"},
    KindRow{Kind::kStreet, "street"},       KindRow{Kind::kVillage, "village"},
    KindRow{Kind::kCommunity, "community"}, KindRow{Kind::kGrid, "grid"},
    KindRow{Kind::kOther, "other"},
};
bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool all_zero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}
}  // namespace

std::string_view kind_code(Kind k) {
  for (const auto& r : kKinds)
    if (r.kind == k) return r.code;
  return "other";
}

Result<Kind> parse_kind(std::string_view code) {
  for (const auto& r : kKinds)
    if (r.code == code) return r.kind;
  return make_error(ErrorCode::kInvalidInput, "unknown division kind", "kind");
}

std::string_view level_name(Level l, bool zh) {
  switch (l) {
    case Level::kProvince:
      return zh ? "省" : "Province";
    case Level::kCity:
      return zh ? "市" : "City";
    case Level::kCounty:
      return zh ? "县（区）" : "County";
    case Level::kTownship:
      return zh ? "乡镇（街道）" : "Township / street";
    case Level::kVillage:
      return zh ? "村（社区）" : "Village / community";
    case Level::kGrid:
      return zh ? "网格" : "Grid";
  }
  return "";
}

size_t prefix_length(Level level) {
  switch (level) {
    case Level::kProvince:
      return 2;
    case Level::kCity:
      return 4;
    case Level::kCounty:
      return 6;
    case Level::kTownship:
      return 9;
    case Level::kVillage:
      return 12;
    case Level::kGrid:
      return 15;
  }
  return 12;
}

std::string scope_prefix(std::string_view code, Level level) {
  return std::string(code.substr(0, std::min(code.size(), prefix_length(level))));
}

Result<Level> level_of_code(std::string_view code) {
  if (!all_digits(code)) return make_error(ErrorCode::kInvalidCode, "code must be digits", "code");
  if (code.size() == 15) {
    if (all_zero(code.substr(12))) return make_error(ErrorCode::kInvalidCode, "grid suffix 000");
    return Level::kGrid;
  }
  if (code.size() != 12)
    return make_error(ErrorCode::kInvalidCode, "code must have 12 or 15 digits", "code");
  if (all_zero(code.substr(0, 2)))
    return make_error(ErrorCode::kInvalidCode, "province 00", "code");
  if (all_zero(code.substr(2))) return Level::kProvince;
  if (all_zero(code.substr(4))) return Level::kCity;
  if (all_zero(code.substr(6))) return Level::kCounty;
  if (all_zero(code.substr(9))) return Level::kTownship;
  return Level::kVillage;
}

Status validate_code(std::string_view code) {
  auto l = level_of_code(code);
  if (!l.ok()) return l.error();
  return {};
}

bool in_scope(std::string_view code, std::string_view scope_code) {
  auto l = level_of_code(scope_code);
  if (!l.ok()) return false;
  std::string p = scope_prefix(scope_code, *l);
  return code.size() >= p.size() && code.substr(0, p.size()) == p;
}

std::pair<std::string, std::string> scope_range(std::string_view scope_code) {
  auto l = level_of_code(scope_code);
  std::string lo = l.ok() ? scope_prefix(scope_code, *l) : std::string(scope_code);
  std::string hi = lo;
  // Digits only: incrementing the last character yields the first code past the prefix.
  if (!hi.empty()) hi.back() = static_cast<char>(hi.back() + 1);
  return {lo, hi};
}

Kind kind_from_name(Level level, std::string_view name) {
  switch (level) {
    case Level::kProvince:
      return Kind::kProvince;
    case Level::kCity:
      return Kind::kCity;
    case Level::kCounty:
      return Kind::kCounty;
    case Level::kTownship:
      if (contains(name, "街道")) return Kind::kStreet;
      if (ends_with(name, "镇") || ends_with(name, "乡")) return Kind::kTownship;
      return Kind::kOther;  // 林场, 园区 … special statistical units
    case Level::kVillage:
      if (contains(name, "社区") || contains(name, "居委会") || contains(name, "居民委员会"))
        return Kind::kCommunity;
      if (contains(name, "村")) return Kind::kVillage;
      return Kind::kOther;
    case Level::kGrid:
      return Kind::kGrid;
  }
  return Kind::kOther;
}

Status validate_child(const Division& child, const Division* parent) {
  auto l = level_of_code(child.code);
  if (!l.ok()) return make_error(ErrorCode::kInvalidCode, "bad code " + child.code, "code");
  if (*l != child.level)
    return make_error(ErrorCode::kInvalidCode, "code " + child.code + " does not match its level",
                      "level");
  if (child.name.empty()) return make_error(ErrorCode::kMissingField, child.code, "name");
  if (child.level == Level::kProvince) {
    if (!child.parent_code.empty())
      return make_error(ErrorCode::kInvalidInput, "province with a parent", "parent_code");
    return {};
  }
  if (parent == nullptr)
    return make_error(ErrorCode::kInvalidInput,
                      "unknown parent " + child.parent_code + " of " + child.code, "parent_code");
  if (static_cast<int>(parent->level) + 1 != static_cast<int>(child.level))
    return make_error(ErrorCode::kInvalidInput, "parent level mismatch for " + child.code,
                      "parent_code");
  if (!in_scope(child.code, parent->code))
    return make_error(ErrorCode::kInvalidInput, child.code + " is not under " + parent->code,
                      "parent_code");
  return {};
}

}  // namespace gj::org
