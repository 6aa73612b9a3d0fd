#include "domain/org/org_files.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/csv.hpp"
#include "common/text.hpp"
#include "domain/org/division.hpp"

namespace gj::org {

using nlohmann::json;

namespace {

// zh-CN first; each says what to do about it.
constexpr Reason kReasons[] = {
    {"not_json", "文件不是有效的 JSON（GeoJSON）", "The file is not valid JSON (GeoJSON)"},
    {"not_feature_collection", "须为 GeoJSON FeatureCollection（要素集合）或单个 Feature",
     "Expected a GeoJSON FeatureCollection or a single Feature"},
    {"no_features", "文件中没有要素", "The file has no features"},
    {"too_many_items", "条目过多（最多 100000 个）", "Too many items (at most 100,000)"},
    {"crs_unsupported",
     "坐标系不受支持：请导出为经纬度坐标（WGS-84 / CGCS2000，EPSG:4326 或 EPSG:4490）",
     "Unsupported coordinate system: export geographic lon/lat (WGS-84 or CGCS2000, EPSG:4326 "
     "or EPSG:4490)"},
    {"not_a_feature", "该条目不是 Feature", "The item is not a Feature"},
    {"geometry_type", "几何类型须为 Polygon（面）或 MultiPolygon（多面）",
     "The geometry must be a Polygon or a MultiPolygon"},
    {"coordinates_invalid", "坐标须为 [经度, 纬度] 数值对",
     "Coordinates must be [longitude, latitude] number pairs"},
    {"coordinates_out_of_range",
     "坐标超出经纬度范围：文件可能是投影坐标（米），请导出为经纬度（EPSG:4326 或 EPSG:4490）",
     "Coordinates are outside longitude/latitude range: the file is probably projected "
     "(metres); export as lon/lat (EPSG:4326 or EPSG:4490)"},
    {"ring_degenerate", "边界至少需要 3 个不同的点且面积不为零",
     "A boundary needs at least 3 distinct points and a non-zero area"},
    // Found by the router's own check (requests::geometry_problem) after parsing.
    {"self_intersection",
     "边界自相交（线段互相穿越）：请在 GIS 中修复几何（QGIS：处理工具箱 → 修复几何图形）后重新导出",
     "The boundary crosses itself: repair it in the GIS (QGIS: Processing Toolbox → Fix "
     "geometries) and export again"},
    {"parts_overlap",
     "多块网格的各部分相互重叠或共用边界：请在 GIS 中将其融合为一块，或拆分为不同网格",
     "Parts of the grid overlap or share an edge: dissolve them into one part in the GIS, or "
     "split them into separate grids"},
    {"hole_invalid", "边界中的“洞”（内环）位于面外、相互嵌套或将面分割开：请在 GIS 中修复几何",
     "A hole (inner ring) lies outside its part, inside another hole, or cuts the part in two: "
     "repair the geometry in the GIS"},
    {"code_invalid",
     "网格编码须为 15 位数字：12 位村（社区）代码加 3 位网格序号（001–999，GB/T 30428）",
     "A grid code is 15 digits: the 12-digit village/community code and a 3-digit grid number "
     "(001–999, GB/T 30428)"},
    {"name_required", "名称不能为空，且不超过 100 字",
     "A name is required, at most 100 characters"},
    {"not_a_count", "须为 0 至 1000000 之间的整数", "Must be a whole number from 0 to 1,000,000"},
    {"duplicate_code", "该编码在文件中出现了不止一次",
     "The code appears more than once in the file"},
    {"village_unknown",
     "网格编码前 12 位不是已导入的村（社区）：请先导入行政区划（gongjian import divisions）",
     "The first 12 digits of the grid code are not an imported village or community: import "
     "the divisions first (gongjian import divisions)"},
    {"out_of_scope", "不在您的管辖范围内", "Outside the area you administer"},
    {"csv_header",
     "CSV 表头须包含 name、kind、division_code（或 单位名称、单位类型、所属区划代码）",
     "The CSV header must name name, kind and division_code (or 单位名称, 单位类型, 所属区划代码)"},
    {"csv_invalid", "CSV 格式有误（引号未闭合或列数不符）",
     "The CSV is malformed (an open quote or a wrong number of fields)"},
    {"kind_invalid",
     "单位类型须为 1 至 64 字，且不能是 grid、village_committee、township_platform、"
     "command_centre（这些是指挥链单位，每个区划自动具有）",
     "A unit kind is 1 to 64 characters and not grid, village_committee, township_platform or "
     "command_centre (chain units every division has)"},
    {"division_code_invalid", "所属区划代码须为 12 位区划代码",
     "The division code must have 12 digits"},
    {"division_unknown", "所属区划不存在：请先导入行政区划",
     "No such division: import the divisions first"},
    {"division_level", "单位只能设在县、乡镇（街道）或村（社区）一级",
     "A unit serves a county, a township (street) or a village (community)"},
    {"duplicate_unit", "同一区划下的单位名称在文件中出现了不止一次",
     "The same unit name appears more than once for one division"},
    {"invalid_utf8", "文本编码无效（须为 UTF-8）", "Text is not valid UTF-8"},
    {"overlaps",
     "与另一网格重叠（括号内为该网格及重叠部分占较小网格的比例）；重叠处的诉求派给较小的网格",
     "Overlaps another grid (in brackets: that grid and the overlap's share of the smaller one); "
     "requests in the overlap go to the smaller grid"},
};

constexpr std::string_view kChainTypes[] = {"grid", "village_committee", "township_platform",
                                            "command_centre"};

template <typename File>
bool add(File& f, const ParseLimits& lim, int64_t item, std::string reason, std::string field = "",
         std::string value = "") {
  if (f.problems.size() >= lim.max_problems) {
    f.truncated = true;
    return false;
  }
  if (value.size() > 60) {
    // Shorten on a UTF-8 boundary.
    size_t n = 60;
    while (n > 0 && (static_cast<unsigned char>(value[n]) & 0xC0) == 0x80) --n;
    value = value.substr(0, n) + "…";
  }
  f.problems.push_back({item, std::move(reason), std::move(field), std::move(value)});
  return true;
}

// A property by any of its accepted names (English first).
const json* property(const json& props, std::initializer_list<const char*> names,
                     std::string* which) {
  if (!props.is_object()) return nullptr;
  for (const char* n : names) {
    auto it = props.find(n);
    if (it != props.end() && !it->is_null()) {
      *which = n;
      return &*it;
    }
  }
  *which = *names.begin();
  return nullptr;
}

std::string as_text(const json& v) {
  if (v.is_string()) return trim(v.get<std::string>());
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number_float()) {
    // Codes that went through a spreadsheet arrive as 6.11026001001001e14.
    double d = v.get<double>();
    if (d >= 0 && d < 1e16 && d == std::floor(d)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0f", d);
      return buf;
    }
    return v.dump();
  }
  return v.dump();
}

std::optional<int64_t> as_count(const json& v) {
  double d;
  if (v.is_number()) {
    d = v.get<double>();
  } else if (v.is_string()) {
    std::string s = trim(v.get<std::string>());
    if (s.empty() || s.size() > 10 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    d = std::stod(s);
  } else {
    return std::nullopt;
  }
  if (!(d >= 0 && d <= 1'000'000) || d != std::floor(d)) return std::nullopt;
  return static_cast<int64_t>(d);
}

bool crs_is_geographic(const json& crs) {
  // GeoJSON 2008 named CRS: {"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4326"}}.
  std::string name;
  if (crs.is_object() && crs.contains("properties") && crs["properties"].is_object())
    name = crs["properties"].value("name", "");
  if (name.empty()) return false;
  for (const char* ok : {"CRS84", "CRS:84", "EPSG::4326", "EPSG:4326", "EPSG::4490", "EPSG:4490"})
    if (name.find(ok) != std::string::npos) return true;
  return false;
}

struct Ring {
  std::vector<std::pair<double, double>> pts;  // lon, lat; closed
};

// Signed shoelace area in m² on an equirectangular projection about lat0.
double ring_area_m2(const Ring& r, double lat0) {
  constexpr double kM = 111'320.0;
  double kx = kM * std::cos(lat0 * M_PI / 180.0), a = 0;
  for (size_t i = 0; i + 1 < r.pts.size(); ++i)
    a += (r.pts[i].first * kx) * (r.pts[i + 1].second * kM) -
         (r.pts[i + 1].first * kx) * (r.pts[i].second * kM);
  return a / 2;
}

// Reads one ring; "" on success, else the reason.
std::string read_ring(const json& j, Ring& out) {
  if (!j.is_array()) return "coordinates_invalid";
  for (const auto& p : j) {
    if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number())
      return "coordinates_invalid";
    double lon = p[0].get<double>(), lat = p[1].get<double>();
    if (!std::isfinite(lon) || !std::isfinite(lat)) return "coordinates_invalid";
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90) return "coordinates_out_of_range";
    // Rounded to 7 decimals (about a centimetre) so a re-export compares equal.
    lon = std::round(lon * 1e7) / 1e7;
    lat = std::round(lat * 1e7) / 1e7;
    if (!out.pts.empty() && out.pts.back() == std::pair{lon, lat}) continue;  // repeated point
    out.pts.emplace_back(lon, lat);
  }
  if (out.pts.size() >= 2 && out.pts.front() != out.pts.back()) out.pts.push_back(out.pts.front());
  if (out.pts.size() < 4) return "ring_degenerate";
  return "";
}

// One part's rings as GeoJSON coordinates: [[lon, lat], …] per ring, the outer ring first.
std::string rings_json(const std::vector<Ring>& rings) {
  std::string s = "[";
  char buf[64];
  for (size_t i = 0; i < rings.size(); ++i) {
    if (i) s += ',';
    s += '[';
    for (size_t k = 0; k < rings[i].pts.size(); ++k) {
      std::snprintf(buf, sizeof buf, "%s[%.7f,%.7f]", k ? "," : "", rings[i].pts[k].first,
                    rings[i].pts[k].second);
      s += buf;
    }
    s += ']';
  }
  return s + "]";
}

// A Polygon for one part, a MultiPolygon for several.
std::string polygon_json(const std::vector<std::vector<Ring>>& parts) {
  if (parts.size() == 1)
    return "{\"type\":\"Polygon\",\"coordinates\":" + rings_json(parts[0]) + "}";
  std::string s = "{\"type\":\"MultiPolygon\",\"coordinates\":[";
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? "," : "") + rings_json(parts[i]);
  return s + "]}";
}

void read_feature(GridFile& f, const ParseLimits& lim, int64_t item, const json& feat,
                  std::set<std::string>& seen) {
  if (!feat.is_object() || feat.value("type", "") != "Feature") {
    add(f, lim, item, "not_a_feature");
    return;
  }
  size_t before = f.problems.size();
  GridFeature g;
  g.item = item;
  static const json kNull;
  const json& props = feat.contains("properties") ? feat["properties"] : kNull;
  std::string field;
  if (const json* c = property(props, {"code", "grid_code", "网格编码", "网格代码"}, &field)) {
    g.code = as_text(*c);
  }
  auto level = level_of_code(g.code);
  if (g.code.size() != 15 || !level.ok())
    add(f, lim, item, "code_invalid", field, g.code);
  else if (!seen.insert(g.code).second)
    add(f, lim, item, "duplicate_code", field, g.code);
  if (const json* n = property(props, {"name", "grid_name", "网格名称", "名称"}, &field))
    g.name = as_text(*n);
  if (!is_valid_utf8(g.name))
    add(f, lim, item, "invalid_utf8", field);
  else if (g.name.empty() || utf8_length(g.name) > 100)
    add(f, lim, item, "name_required", field, g.name);
  if (const json* h = property(props, {"households", "户数"}, &field)) {
    g.households = as_count(*h);
    if (!g.households) add(f, lim, item, "not_a_count", field, as_text(*h));
  }
  if (const json* r = property(props, {"residents", "人口", "人数"}, &field)) {
    g.residents = as_count(*r);
    if (!g.residents) add(f, lim, item, "not_a_count", field, as_text(*r));
  }

  const json& geom = feat.contains("geometry") ? feat["geometry"] : kNull;
  std::vector<const json*> parts_json;  // each part's rings
  std::string type = geom.is_object() ? geom.value("type", "") : "";
  if (type == "Polygon" && geom.contains("coordinates")) {
    parts_json.push_back(&geom["coordinates"]);
  } else if (type == "MultiPolygon" && geom.contains("coordinates") &&
             geom["coordinates"].is_array()) {
    for (const auto& p : geom["coordinates"]) parts_json.push_back(&p);
    if (parts_json.empty()) parts_json.push_back(&kNull);  // no part at all
  }
  if (parts_json.empty()) {
    add(f, lim, item, "geometry_type", "geometry", type);
  } else {
    std::vector<std::vector<Ring>> parts;
    std::string bad;
    for (const json* pj : parts_json) {
      if (!pj->is_array() || pj->empty()) {
        bad = "coordinates_invalid";
        break;
      }
      auto& rings = parts.emplace_back();
      for (const auto& rj : *pj) {
        Ring r;
        bad = read_ring(rj, r);
        if (!bad.empty()) break;
        rings.push_back(std::move(r));
      }
      if (!bad.empty()) break;
    }
    if (!bad.empty()) {
      add(f, lim, item, bad, "geometry");
    } else {
      g.min_lon = g.max_lon = parts[0][0].pts[0].first;
      g.min_lat = g.max_lat = parts[0][0].pts[0].second;
      for (const auto& rings : parts)
        for (const auto& [lon, lat] : rings[0].pts) {
          g.min_lon = std::min(g.min_lon, lon);
          g.max_lon = std::max(g.max_lon, lon);
          g.min_lat = std::min(g.min_lat, lat);
          g.max_lat = std::max(g.max_lat, lat);
        }
      double lat0 = (g.min_lat + g.max_lat) / 2;
      // Every part must have an area of its own: a part of a line or a point is a digitising
      // slip that would route nothing.
      double area = 0;
      bool degenerate = false;
      for (const auto& rings : parts) {
        double a = std::abs(ring_area_m2(rings[0], lat0));
        for (size_t i = 1; i < rings.size(); ++i) a -= std::abs(ring_area_m2(rings[i], lat0));
        degenerate = degenerate || !(a >= 1.0);
        area += a;
      }
      if (degenerate) {
        add(f, lim, item, "ring_degenerate", "geometry");
      } else {
        g.area_m2 = area;
        g.polygon = polygon_json(parts);
        for (auto& rings : parts) {
          auto& out = g.parts.emplace_back();
          for (auto& ring : rings) out.push_back(std::move(ring.pts));
        }
      }
    }
  }
  if (f.problems.size() == before && !f.truncated) f.grids.push_back(std::move(g));
}

}  // namespace

std::string_view file_reason_text(std::string_view reason, Lang lang) {
  return reason_text(kReasons, reason, lang);
}

bool is_file_reason(std::string_view reason) {
  return !file_reason_text(reason, Lang::kEn).empty();
}

GridFile parse_grid_geojson(std::string_view text, const ParseLimits& limits) {
  GridFile f;
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) {
    add(f, limits, 0, "not_json");
    return f;
  }
  if (!doc.is_object()) {
    add(f, limits, 0, "not_feature_collection");
    return f;
  }
  if (doc.contains("crs") && !doc["crs"].is_null() && !crs_is_geographic(doc["crs"])) {
    std::string name;
    if (doc["crs"].is_object() && doc["crs"].contains("properties"))
      name = doc["crs"]["properties"].value("name", "");
    add(f, limits, 0, "crs_unsupported", "crs", name);
    return f;
  }
  std::string type = doc.value("type", "");
  std::set<std::string> seen;
  if (type == "Feature") {
    read_feature(f, limits, 1, doc, seen);
    return f;
  }
  if (type != "FeatureCollection" || !doc.contains("features") || !doc["features"].is_array()) {
    add(f, limits, 0, "not_feature_collection");
    return f;
  }
  const auto& feats = doc["features"];
  if (feats.empty()) {
    add(f, limits, 0, "no_features");
    return f;
  }
  if (feats.size() > limits.max_items) {
    add(f, limits, 0, "too_many_items", "", std::to_string(feats.size()));
    return f;
  }
  int64_t item = 0;
  for (const auto& feat : feats) {
    read_feature(f, limits, ++item, feat, seen);
    if (f.truncated) break;
  }
  return f;
}

UnitFile parse_units_csv(std::string_view text, const ParseLimits& limits) {
  UnitFile f;
  std::istringstream in{std::string(text)};
  csv::Reader reader(in);
  csv::Record rec;
  if (!reader.next(rec)) {
    add(f, limits, reader.error().empty() ? 0 : 1,
        reader.error().empty() ? "csv_header" : "csv_invalid");
    return f;
  }
  auto col = [&](std::initializer_list<std::string_view> names) {
    for (size_t i = 0; i < rec.size(); ++i)
      for (auto n : names)
        if (trim(rec[i]) == n) return static_cast<int>(i);
    return -1;
  };
  int c_name = col({"name", "单位名称"}), c_kind = col({"kind", "单位类型"}),
      c_div = col({"division_code", "所属区划代码"});
  if (c_name < 0 || c_kind < 0 || c_div < 0) {
    add(f, limits, 1, "csv_header");
    return f;
  }
  size_t width = rec.size();
  std::set<std::pair<std::string, std::string>> seen;
  while (reader.next(rec)) {
    int64_t line = static_cast<int64_t>(reader.line());
    if (rec.size() == 1 && trim(rec[0]).empty()) continue;  // blank line
    if (f.units.size() + f.problems.size() >= limits.max_items) {
      add(f, limits, line, "too_many_items");
      return f;
    }
    if (rec.size() != width) {
      if (!add(f, limits, line, "csv_invalid")) return f;
      continue;
    }
    UnitLine u{line, trim(rec[c_name]), trim(rec[c_kind]), trim(rec[c_div])};
    size_t before = f.problems.size();
    if (!is_valid_utf8(u.name) || !is_valid_utf8(u.kind)) {
      add(f, limits, line, "invalid_utf8");
    } else {
      if (u.name.empty() || utf8_length(u.name) > 100)
        add(f, limits, line, "name_required", "name", u.name);
      bool chain = std::find(std::begin(kChainTypes), std::end(kChainTypes), u.kind) !=
                   std::end(kChainTypes);
      if (u.kind.empty() || utf8_length(u.kind) > 64 || chain)
        add(f, limits, line, "kind_invalid", "kind", u.kind);
    }
    auto level = level_of_code(u.division_code);
    if (u.division_code.size() != 12 || !level.ok())
      add(f, limits, line, "division_code_invalid", "division_code", u.division_code);
    else if (*level < Level::kCounty)
      add(f, limits, line, "division_level", "division_code", u.division_code);
    if (f.problems.size() == before && !seen.insert({u.division_code, u.name}).second)
      add(f, limits, line, "duplicate_unit", "name", u.name);
    if (f.truncated) return f;
    if (f.problems.size() == before) f.units.push_back(std::move(u));
  }
  if (!reader.error().empty()) add(f, limits, static_cast<int64_t>(reader.line()), "csv_invalid");
  return f;
}

}  // namespace gj::org
