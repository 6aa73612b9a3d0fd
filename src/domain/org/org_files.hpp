// The files a county brings when it installs Gongjian: its grid boundaries 网格边界 (GeoJSON, as
// QGIS, ArcGIS and the provincial grid platforms export them) and its departments and other
// units 部门/单位 (CSV). Parsing and checking a file is pure: every problem is collected with the
// feature or line it belongs to, so a county fixes its file once, not once per problem. What
// needs the store (does the village exist, is it in the importer's scope) is the caller's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace gj::org {

// One problem of an imported file. `item` is the 1-based feature of a GeoJSON file or the
// 1-based line of a CSV file (header = 1); 0 for the file as a whole.
struct FileProblem {
  int64_t item = 0;
  std::string reason;  // a code of file_reason_text ("code_invalid", "village_unknown" …)
  std::string field;   // the property or column, when one is at fault
  std::string value;   // the offending value, shortened, when it helps
};

// What a reason code says, in the reader's language ("" for an unknown code).
std::string_view file_reason_text(std::string_view reason, Lang lang);
bool is_file_reason(std::string_view reason);

// A grid 网格 as a boundary file describes it. GB/T 30428 numbers grids with 15 digits: the
// 12-digit village/community code 村（社区）代码 and a 3-digit grid number.
struct GridFeature {
  int64_t item = 0;  // 1-based feature number in the file
  std::string code, name;
  std::optional<int64_t> households, residents;
  // Normalised GeoJSON Polygon (one part) or MultiPolygon (several), WGS-84 lon/lat, 7 decimals.
  std::string polygon;
  // The same as numbers: per part, its rings (outer first, then holes) of closed (lon, lat).
  std::vector<std::vector<std::vector<std::pair<double, double>>>> parts;
  double min_lon = 0, min_lat = 0, max_lon = 0, max_lat = 0;
  double area_m2 = 0;  // outer rings minus holes, on a local equirectangular projection
  std::string village_code() const { return code.substr(0, 12); }
};

struct GridFile {
  std::vector<GridFeature> grids;
  std::vector<FileProblem> problems;  // empty: every feature is usable
  bool truncated = false;             // more problems than max_problems were found
};

struct ParseLimits {
  size_t max_items = 100'000;
  size_t max_problems = 200;
};

// A GeoJSON FeatureCollection (or one Feature) of Polygon / MultiPolygon features
// with properties code 网格编码, name 网格名称 and optionally households 户数 and residents 人口
// (the Chinese property names are accepted too). Coordinates must be geographic lon/lat
// (WGS-84 or CGCS2000, which agree to centimetres); a `crs` naming anything else, or values
// outside ±180/±90 (projected metres), is refused. Open rings are closed.
GridFile parse_grid_geojson(std::string_view text, const ParseLimits& limits = {});

// A unit 单位 as a unit file lists it: a department (部门) or other handling unit that serves a
// division and that the responsibility matrix 责任清单 names by its kind (the unit type).
struct UnitLine {
  int64_t item = 0;  // line in the file
  std::string name, kind, division_code;
};

struct UnitFile {
  std::vector<UnitLine> units;
  std::vector<FileProblem> problems;
  bool truncated = false;
};

// CSV with a header naming the columns name,kind,division_code (or 单位名称,单位类型,所属区划代码),
// in any order. A kind is 1–64 characters and not one of the chain unit types (grid,
// village_committee, township_platform, command_centre), which exist for every division.
UnitFile parse_units_csv(std::string_view text, const ParseLimits& limits = {});

}  // namespace gj::org
