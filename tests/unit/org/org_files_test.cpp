// The grid boundary (GeoJSON) and unit (CSV) files a county imports: every problem is found in
// one pass with its feature or line, and a good file comes out normalised.
#include "domain/org/org_files.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

using namespace gj;
using namespace gj::org;

namespace {

std::string feature(const std::string& props, const std::string& geometry) {
  return R"({"type":"Feature","properties":)" + props + R"(,"geometry":)" + geometry + "}";
}
std::string collection(const std::string& features, const std::string& extra = "") {
  return R"({"type":"FeatureCollection",)" + extra + R"("features":[)" + features + "]}";
}
const std::string kSquare =
    R"({"type":"Polygon","coordinates":[[[109.1,33.7],[109.105,33.7],[109.105,33.704],[109.1,33.704],[109.1,33.7]]]})";

std::vector<std::string> reasons(const std::vector<FileProblem>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(std::to_string(p.item) + ":" + p.reason);
  return out;
}

}  // namespace

TEST(GridFile, a_good_feature_is_read_with_its_counts_area_and_a_normalised_polygon) {
  auto f = parse_grid_geojson(collection(feature(
      R"({"code":"611026001001001","name":" 城区第一网格 ","households":310,"residents":"820"})",
      kSquare)));
  ASSERT_TRUE(f.problems.empty()) << reasons(f.problems).front();
  ASSERT_EQ(f.grids.size(), 1u);
  const auto& g = f.grids[0];
  EXPECT_EQ(g.item, 1);
  EXPECT_EQ(g.code, "611026001001001");
  EXPECT_EQ(g.village_code(), "611026001001");
  EXPECT_EQ(g.name, "城区第一网格");  // trimmed
  EXPECT_EQ(g.households, 310);
  EXPECT_EQ(g.residents, 820);  // a numeric string, as spreadsheets export it
  // 0.005° × 0.004° at 33.7°N: about 463 m × 445 m.
  EXPECT_NEAR(g.area_m2, 0.005 * 111320 * std::cos(33.702 * M_PI / 180) * 0.004 * 111320, 500);
  EXPECT_DOUBLE_EQ(g.min_lon, 109.1);
  EXPECT_DOUBLE_EQ(g.max_lat, 33.704);
  EXPECT_EQ(g.polygon.substr(0, 60),
            R"({"type":"Polygon","coordinates":[[[109.1000000,33.7000000],[)");
}

TEST(GridFile, chinese_property_names_a_single_feature_and_an_open_ring_are_accepted) {
  auto f = parse_grid_geojson(feature(
      R"({"网格编码":611026001001002,"网格名称":"第二网格","户数":"12"})",
      R"({"type":"MultiPolygon","coordinates":[[[[109.1,33.7],[109.105,33.7],[109.105,33.704]]]]})"));
  ASSERT_TRUE(f.problems.empty()) << reasons(f.problems).front();
  ASSERT_EQ(f.grids.size(), 1u);
  EXPECT_EQ(f.grids[0].code, "611026001001002");   // a number, as spreadsheets turn codes
  EXPECT_FALSE(f.grids[0].residents.has_value());  // not given: the store keeps its count
  // The ring was closed: 4 positions.
  EXPECT_NE(f.grids[0].polygon.find("[109.1000000,33.7000000]]]"), std::string::npos);
}

// A grid in two parts 多块网格 (a community on both banks of a river) is kept as a MultiPolygon
// with the area of both parts; a part that is a line, or a MultiPolygon without parts, is not.
TEST(GridFile, a_grid_in_several_parts_keeps_every_part_and_a_degenerate_part_is_refused) {
  std::string two_parts =
      R"({"type":"MultiPolygon","coordinates":[
          [[[109.100,33.700],[109.101,33.700],[109.101,33.701],[109.100,33.701],[109.100,33.700]]],
          [[[109.110,33.700],[109.111,33.700],[109.111,33.701],[109.110,33.701],[109.110,33.700]]]]})";
  auto f = parse_grid_geojson(
      collection(feature(R"({"code":"611026001001001","name":"两岸网格"})", two_parts) + "," +
                 feature(R"({"code":"611026001001002","name":"a"})",
                         R"({"type":"MultiPolygon","coordinates":[
                             [[[109.1,33.7],[109.2,33.7],[109.2,33.8]]],
                             [[[109.3,33.7],[109.4,33.7],[109.3,33.7]]]]})") +
                 "," +
                 feature(R"({"code":"611026001001003","name":"a"})",
                         R"({"type":"MultiPolygon","coordinates":[]})") +
                 "," +
                 feature(R"({"code":"611026001001004","name":"a"})",
                         R"({"type":"MultiPolygon","coordinates":[[]]})")));
  EXPECT_EQ(reasons(f.problems),
            (std::vector<std::string>{"2:ring_degenerate", "3:coordinates_invalid",
                                      "4:coordinates_invalid"}));
  ASSERT_EQ(f.grids.size(), 1u);
  const auto& g = f.grids[0];
  EXPECT_EQ(
      g.polygon.rfind("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[109.1000000,33.7000000]", 0),
      0u)
      << g.polygon;
  EXPECT_NEAR(g.min_lon, 109.100, 1e-9);
  EXPECT_NEAR(g.max_lon, 109.111, 1e-9);
  // Two squares of 0.001° (about 93 m × 111 m here).
  EXPECT_NEAR(g.area_m2, 2 * 0.001 * 111'320 * std::cos(33.7005 * M_PI / 180) * 0.001 * 111'320,
              1.0);
}

TEST(GridFile, every_problem_is_reported_with_its_feature_and_no_bad_feature_is_kept) {
  std::string features =
      feature(R"({"code":"611026001001","name":"x"})", kSquare) + "," +     // 12 digits
      feature(R"({"code":"611026001001000","name":"x"})", kSquare) + "," +  // grid 000
      feature(R"({"code":"611026001001003","name":""})", kSquare) + "," +   // no name
      feature(R"({"code":"611026001001004","name":"a","households":-1})", kSquare) + "," +
      feature(R"({"code":"611026001001005","name":"a"})",
              R"({"type":"Point","coordinates":[109.1,33.7]})") +
      "," +
      feature(
          R"({"code":"611026001001006","name":"a"})",
          R"({"type":"Polygon","coordinates":[[[12130000,4060000],[12130400,4060000],[12130400,4060300]]]})") +
      "," +
      feature(R"({"code":"611026001001007","name":"a"})",
              R"({"type":"Polygon","coordinates":[[[109.1,33.7],[109.2,33.7],[109.1,33.7]]]})") +
      "," +
      feature(R"({"code":"611026001001008","name":"a"})",
              R"({"type":"Polygon","coordinates":[[["109.1",33.7],[109.2,33.7],[109.2,33.8]]]})") +
      "," + feature(R"({"code":"611026001001009","name":"ok"})", kSquare) + "," +
      feature(R"({"code":"611026001001009","name":"again"})", kSquare) + "," +
      R"({"type":"Point"})";
  auto f = parse_grid_geojson(collection(features));
  EXPECT_EQ(reasons(f.problems),
            (std::vector<std::string>{
                "1:code_invalid", "2:code_invalid", "3:name_required", "4:not_a_count",
                "5:geometry_type", "6:coordinates_out_of_range", "7:ring_degenerate",
                "8:coordinates_invalid", "10:duplicate_code", "11:not_a_feature"}));
  ASSERT_EQ(f.grids.size(), 1u);
  EXPECT_EQ(f.grids[0].item, 9);
  EXPECT_EQ(f.problems[3].field, "households");
  EXPECT_EQ(f.problems[3].value, "-1");
  for (const auto& p : f.problems) {
    EXPECT_FALSE(file_reason_text(p.reason, Lang::kZh).empty()) << p.reason;
    EXPECT_FALSE(file_reason_text(p.reason, Lang::kEn).empty()) << p.reason;
  }
}

TEST(GridFile, the_whole_file_is_refused_for_a_projected_crs_bad_json_or_no_features) {
  auto projected = parse_grid_geojson(
      collection(feature(R"({"code":"611026001001001","name":"a"})", kSquare),
                 R"("crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},)"));
  EXPECT_EQ(reasons(projected.problems), std::vector<std::string>{"0:crs_unsupported"});
  EXPECT_TRUE(projected.grids.empty());
  auto cgcs = parse_grid_geojson(
      collection(feature(R"({"code":"611026001001001","name":"a"})", kSquare),
                 R"("crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},)"));
  EXPECT_TRUE(cgcs.problems.empty());
  EXPECT_EQ(reasons(parse_grid_geojson("{not json").problems),
            std::vector<std::string>{"0:not_json"});
  EXPECT_EQ(reasons(parse_grid_geojson("[1,2]").problems),
            std::vector<std::string>{"0:not_feature_collection"});
  EXPECT_EQ(reasons(parse_grid_geojson(collection("")).problems),
            std::vector<std::string>{"0:no_features"});
}

TEST(GridFile, problems_stop_at_the_limit_and_say_so) {
  std::string features;
  for (int i = 0; i < 50; ++i) features += (i ? "," : "") + std::string(R"({"type":"x"})");
  auto f = parse_grid_geojson(collection(features), {100, 10});
  EXPECT_EQ(f.problems.size(), 10u);
  EXPECT_TRUE(f.truncated);
  auto many = parse_grid_geojson(collection(features), {20, 10});
  EXPECT_EQ(reasons(many.problems), std::vector<std::string>{"0:too_many_items"});
}

TEST(GridFile, a_normalised_polygon_reads_back_identically) {
  auto a =
      parse_grid_geojson(collection(feature(R"({"code":"611026001001001","name":"a"})", kSquare)));
  ASSERT_EQ(a.grids.size(), 1u);
  auto b = parse_grid_geojson(
      collection(feature(R"({"code":"611026001001001","name":"a"})", a.grids[0].polygon)));
  ASSERT_EQ(b.grids.size(), 1u);
  EXPECT_EQ(a.grids[0].polygon, b.grids[0].polygon);
}

TEST(UnitFile, units_are_read_by_header_name_in_either_language) {
  auto f = parse_units_csv(
      "division_code,name,kind\n611026000000,柞水县城市管理局,城市管理部门\n\n"
      "611026001000,\"乾佑街道市政所, 东区\",城市管理部门\n");
  ASSERT_TRUE(f.problems.empty()) << reasons(f.problems).front();
  ASSERT_EQ(f.units.size(), 2u);
  EXPECT_EQ(f.units[0].name, "柞水县城市管理局");
  EXPECT_EQ(f.units[0].kind, "城市管理部门");
  EXPECT_EQ(f.units[0].item, 2);
  EXPECT_EQ(f.units[1].name, "乾佑街道市政所, 东区");
  EXPECT_EQ(f.units[1].item, 4);
  auto zh =
      parse_units_csv("\xEF\xBB\xBF单位名称,单位类型,所属区划代码\n水务站,水务,611026101000\n");
  ASSERT_TRUE(zh.problems.empty());
  EXPECT_EQ(zh.units[0].division_code, "611026101000");
}

TEST(UnitFile, every_bad_line_is_named) {
  auto f = parse_units_csv(
      "name,kind,division_code\n"
      ",部门,611026000000\n"     // 2: no name
      "a,grid,611026000000\n"    // 3: chain type
      "b,部门,6110\n"            // 4: bad code
      "c,部门,610000000000\n"    // 5: a province
      "d,部门\n"                 // 6: columns
      "e,部门,611026000000\n"    // 7: fine
      "e,部门,611026000000\n");  // 8: duplicate
  EXPECT_EQ(reasons(f.problems), (std::vector<std::string>{
                                     "2:name_required", "3:kind_invalid", "4:division_code_invalid",
                                     "5:division_level", "6:csv_invalid", "8:duplicate_unit"}));
  ASSERT_EQ(f.units.size(), 1u);
  EXPECT_EQ(f.units[0].item, 7);
  EXPECT_EQ(reasons(parse_units_csv("a,b,c\n1,2,3\n").problems),
            std::vector<std::string>{"1:csv_header"});
  EXPECT_EQ(reasons(parse_units_csv("").problems), std::vector<std::string>{"0:csv_header"});
}
