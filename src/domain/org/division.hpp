// The administrative hierarchy (行政区划) and grids (网格) below it.
// NBS codes are 12 digits, right-padded with zeros; a node's descendants all share its "short
// code" prefix (2/4/6/9/12 digits by level). Grids (level 6) extend their village's 12 digits
// with 3 more, so one prefix test answers "is X inside Y's scope" at every level.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace gj::org {

enum class Level : int {
  kProvince = 1,  // 省
  kCity = 2,      // 地级
  kCounty = 3,    // 县级
  kTownship = 4,  // 乡级 (乡/镇/街道)
  kVillage = 5,   // 村级 (村委会/居委会)
  kGrid = 6,      // 网格
};

// Kind refines the level: a township may be a street 街道, a village a community 社区.
enum class Kind {
  kProvince,
  kCity,
  kCounty,
  kTownship,
  kStreet,
  kVillage,
  kCommunity,
  kGrid,
  kOther
};

std::string_view kind_code(Kind k);
Result<Kind> parse_kind(std::string_view code);
std::string_view level_name(Level l, bool zh);

struct Division {
  std::string code;         // 12 digits (levels 1–5) or 15 digits (grid)
  std::string parent_code;  // empty for the province
  std::string name;
  Level level = Level::kProvince;
  Kind kind = Kind::kOther;
  bool synthetic = false;  // generated demo data, labelled as such in the UI
};

// Number of significant leading digits of a code at a level (2, 4, 6, 9, 12, 15).
size_t prefix_length(Level level);
// The significant prefix of `code` at `level`.
std::string scope_prefix(std::string_view code, Level level);
// Level implied by a code's shape (trailing zero groups); fails on malformed codes.
Result<Level> level_of_code(std::string_view code);
// True when `code` is `scope_code` itself or lies below it.
bool in_scope(std::string_view code, std::string_view scope_code);
// Valid: 12 or 15 ASCII digits, consistent with its own level.
Status validate_code(std::string_view code);
// Half-open key range [lo, hi) covering a scope in lexicographic order, for indexed queries.
std::pair<std::string, std::string> scope_range(std::string_view scope_code);

// Guess the kind of a township/village from its NBS name (街道 → street, 社区/居委会 → community).
Kind kind_from_name(Level level, std::string_view name);

// Validates one imported division row against its parent (level = parent + 1, code prefix).
Status validate_child(const Division& child, const Division* parent);

}  // namespace gj::org
