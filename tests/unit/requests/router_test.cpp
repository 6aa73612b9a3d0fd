#include "domain/requests/router.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

#include "test_world.hpp"

namespace gj::requests {
namespace {

using testing::find_unit;

class RouterTest : public ::testing::Test {
 protected:
  testing::MapHierarchy world = testing::make_county();

  RequestRouter router(RouterOptions o = {}) {
    auto r = RequestRouter::create(world, testing::kCounty, testing::make_matrix(), o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail);
    return std::move(r).value();
  }
  static RouteInput in(std::string category, std::optional<GeoPoint> p, std::string address = {}) {
    return RouteInput{std::move(category), p, std::move(address)};
  }
};

TEST_F(RouterTest, a_point_inside_a_grid_goes_to_the_township_the_matrix_names_and_says_why) {
  auto d = router().route(in("城乡建设/道路", GeoPoint{33.685, 109.115}));
  ASSERT_TRUE(d.ok()) << d.error().detail;
  EXPECT_EQ(d->method, LocateMethod::kPointInPolygon);
  EXPECT_EQ(d->grid_code, testing::kGridRenhe1);
  EXPECT_EQ(d->unit.id, "tp-qianyou");
  EXPECT_FALSE(d->manual_dispatch);
  EXPECT_EQ(d->rule.category, "城乡建设");  // inherited from the L1 row
  EXPECT_EQ(d->matrix_version, "v3");
  std::string zh = d->explanation(Lang::kZh);
  EXPECT_NE(zh.find("位于网格 仁和一网格"), std::string::npos) << zh;
  EXPECT_NE(zh.find("点在多边形内"), std::string::npos) << zh;
  EXPECT_NE(zh.find("责任清单"), std::string::npos) << zh;
  EXPECT_NE(zh.find("乾佑街道综合指挥平台"), std::string::npos) << zh;
  EXPECT_EQ(zh,
            "位于网格 仁和一网格（611026001001001，点在多边形内）；类别 道路（城乡建设/道路）按责任"
            "清单（v3）由乡镇（街道）级综合指挥平台办理；派往 乾佑街道综合指挥平台");
  std::string en = d->explanation(Lang::kEn);
  EXPECT_EQ(
      en,
      "inside grid 仁和一网格 (611026001001001, point in polygon); category Roads goes by the "
      "responsibility matrix (v3) to the command platform at township level; dispatched to "
      "乾佑街道综合指挥平台");
}

TEST_F(RouterTest, a_missing_department_is_explained_with_its_configured_name) {
  ResponsibilityMatrix m = testing::make_matrix();
  m.set_unit_type_name("water", "水利站", "water station");
  auto r = RequestRouter::create(world, testing::kCounty, std::move(m));
  ASSERT_TRUE(r.ok());
  auto d = r->route(in("城乡建设/供水", GeoPoint{33.805, 109.205}));
  ASSERT_TRUE(d.ok());
  EXPECT_NE(d->explanation(Lang::kZh).find("营盘镇 没有水利站，交由 营盘镇综合指挥平台"),
            std::string::npos)
      << d->explanation(Lang::kZh);
}

TEST_F(RouterTest, the_most_specific_matrix_row_wins_down_to_the_village_or_a_department) {
  auto lamp = router().route(in("城乡建设/道路/路灯", GeoPoint{33.685, 109.125}));
  ASSERT_TRUE(lamp.ok());
  EXPECT_EQ(lamp->grid_code, testing::kGridRenhe2);
  EXPECT_EQ(lamp->unit.id, "vc-renhe");
  auto water = router().route(in("城乡建设/供水", GeoPoint{33.685, 109.125}));
  ASSERT_TRUE(water.ok());
  EXPECT_EQ(water->unit.id, "st-water-qianyou");  // the township's water station
  EXPECT_EQ(water->sla_tier, "utilities");
  auto noise = router().route(in("环境保护/噪声", GeoPoint{33.805, 109.205}));
  ASSERT_TRUE(noise.ok());
  EXPECT_EQ(noise->unit.id, "dept-env");  // county bureau
}

TEST_F(RouterTest, a_category_without_its_own_row_falls_back_to_the_default_rule) {
  auto d = router().route(in("劳动和社会保障", GeoPoint{33.805, 109.205}));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->default_rule);
  EXPECT_EQ(d->unit.id, "tp-yingpan");
  EXPECT_NE(d->explanation(Lang::kZh).find("默认规则"), std::string::npos);
}

TEST_F(RouterTest, a_missing_unit_type_in_the_division_falls_to_that_divisions_platform) {
  // 营盘镇 has no water station.
  auto d = router().route(in("城乡建设/供水", GeoPoint{33.805, 109.205}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->unit.id, "tp-yingpan");
  EXPECT_NE(d->explanation(Lang::kEn).find("has no water unit"), std::string::npos)
      << d->explanation(Lang::kEn);
}

TEST_F(RouterTest, without_a_point_the_village_named_in_the_address_locates_the_request) {
  auto d =
      router().route(in("城乡建设/道路/路灯", std::nullopt, "柞水县营盘镇药王堂村三组路灯不亮"));
  ASSERT_TRUE(d.ok()) << d.error().detail;
  EXPECT_EQ(d->method, LocateMethod::kAddressName);
  EXPECT_EQ(d->division_code, testing::kYaowangtang);
  EXPECT_EQ(d->unit.id, "vc-yaowangtang");
  EXPECT_NE(d->explanation(Lang::kZh).find("药王堂村"), std::string::npos);
}

TEST_F(RouterTest, an_address_naming_only_the_township_goes_to_its_platform) {
  auto d = router().route(in("城乡建设/道路/路灯", std::nullopt, "乾佑街道某路口"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->division_code, testing::kQianyou);
  EXPECT_EQ(d->unit.id, "tp-qianyou");  // the rule wants a village; the platform dispatches on
}

TEST_F(RouterTest, a_point_outside_every_grid_goes_to_the_command_centre_for_manual_dispatch) {
  auto d = router().route(in("城乡建设/道路", GeoPoint{34.2, 108.9}));  // 西安, not our county
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->manual_dispatch);
  EXPECT_EQ(d->unit.id, "cc");
  EXPECT_EQ(d->method, LocateMethod::kNone);
  EXPECT_NE(d->explanation(Lang::kZh).find("人工派单"), std::string::npos);
  auto none = router().route(in("城乡建设/道路", std::nullopt, ""));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->manual_dispatch);
}

TEST_F(RouterTest, the_address_is_tried_when_the_point_is_outside_every_grid) {
  auto d = router().route(in("城乡建设/道路", GeoPoint{33.9, 109.3}, "营盘镇药王堂村"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->method, LocateMethod::kAddressName);
  EXPECT_EQ(d->unit.id, "tp-yingpan");
}

TEST_F(RouterTest, a_strict_channel_refuses_a_point_outside_every_grid_with_400) {
  RouterOptions strict;
  strict.reject_outside_grids = true;
  auto d = router(strict).route(in("城乡建设/道路", GeoPoint{34.2, 108.9}));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(d.error().field, "location");
  EXPECT_EQ(d.error().http_status(), 400);
}

TEST_F(RouterTest, an_unknown_category_or_invalid_coordinates_are_bad_input) {
  auto cat = router().route(in("外星人/绑架", GeoPoint{33.685, 109.115}));
  ASSERT_FALSE(cat.ok());
  EXPECT_EQ(cat.error().field, "category");
  EXPECT_EQ(cat.error().http_status(), 400);
  auto pt = router().route(in("城乡建设", GeoPoint{95, 109}));
  ASSERT_FALSE(pt.ok());
  EXPECT_EQ(pt.error().field, "location");
}

TEST_F(RouterTest,
       a_village_name_shared_by_two_townships_is_settled_by_the_township_or_sent_to_manual) {
  world.add_division("611026001299", "药王堂村委会", testing::kQianyou, Level::kVillage);
  world.all_units.push_back(testing::unit("vc-yw2", std::string(kUnitVillageCommittee),
                                          "611026001299", Level::kVillage, "药王堂村委会(乾佑)"));
  auto r = router();
  auto settled = r.route(in("城乡建设/道路/路灯", std::nullopt, "乾佑街道药王堂村"));
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(settled->unit.id, "vc-yw2");
  auto ambiguous = r.route(in("城乡建设/道路/路灯", std::nullopt, "药王堂村路灯坏了"));
  ASSERT_TRUE(ambiguous.ok());
  EXPECT_TRUE(ambiguous->manual_dispatch);
  EXPECT_NE(ambiguous->explanation(Lang::kZh).find("不唯一"), std::string::npos);
}

TEST_F(RouterTest, a_point_on_a_shared_border_always_gets_the_same_grid) {
  auto d1 = router().route(in("城乡建设", GeoPoint{33.685, 109.12}));
  ASSERT_TRUE(d1.ok());
  std::reverse(world.grids.begin(), world.grids.end());
  auto d2 = router().route(in("城乡建设", GeoPoint{33.685, 109.12}));
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(d1->grid_code, d2->grid_code);
  EXPECT_EQ(d1->grid_code, testing::kGridRenhe1);  // equal areas: lowest code
}

TEST_F(RouterTest, a_grid_with_a_hole_does_not_contain_points_in_the_hole) {
  GridShape donut = testing::square("X1", "环形网格", testing::kRenhe, 33.50, 109.00, 0.02);
  donut.parts[0].holes.push_back(
      {{33.505, 109.005}, {33.505, 109.015}, {33.515, 109.015}, {33.515, 109.005}});
  GridIndex idx({donut});
  EXPECT_NE(idx.locate({33.502, 109.002}), nullptr);
  EXPECT_EQ(idx.locate({33.51, 109.01}), nullptr);
}

// A multi-part grid 多块网格 (a community on both banks of a river): a point in either part is in
// it, a point between the parts or in a part's hole is not, and where it overlaps a smaller grid
// its area is that of all its parts.
TEST_F(RouterTest, a_grid_in_several_parts_contains_the_points_of_each_part_and_none_between) {
  GridShape g;
  ASSERT_TRUE(polygon_from_geojson(
      R"({"type":"MultiPolygon","coordinates":[
          [[[109.00,33.50],[109.02,33.50],[109.02,33.52],[109.00,33.52],[109.00,33.50]]],
          [[[109.10,33.50],[109.12,33.50],[109.12,33.52],[109.10,33.52],[109.10,33.50]],
           [[109.105,33.505],[109.115,33.505],[109.115,33.515],[109.105,33.515],[109.105,33.505]]]]})",
      g));
  ASSERT_EQ(g.parts.size(), 2u);
  EXPECT_EQ(g.parts[1].holes.size(), 1u);
  g.code = "611026001001009";
  g.name = "两岸网格";
  // A grid a bit bigger than one part but smaller than both, over the first part's corner.
  GridShape mid =
      testing::square("611026001001008", "中网格", testing::kRenhe, 33.49, 108.99, 0.025);
  GridIndex idx({g, mid});
  ASSERT_NE(idx.locate({33.51, 109.102}), nullptr);  // second part, outside its hole
  EXPECT_EQ(idx.locate({33.51, 109.102})->code, g.code);
  EXPECT_EQ(idx.locate({33.51, 109.06}), nullptr);    // between the parts
  EXPECT_EQ(idx.locate({33.51, 109.11}), nullptr);    // in the second part's hole
  ASSERT_NE(idx.locate({33.519, 109.019}), nullptr);  // first part, beyond 中网格
  EXPECT_EQ(idx.locate({33.519, 109.019})->code, g.code);
  // covers() answers the same for one grid alone, its boundary included.
  EXPECT_TRUE(covers(g, {33.51, 109.102}));
  EXPECT_TRUE(covers(g, {33.51, 109.01}));
  EXPECT_TRUE(covers(g, {33.50, 109.01}));  // on the first part's southern edge
  EXPECT_FALSE(covers(g, {33.51, 109.06}));
  EXPECT_FALSE(covers(g, {33.51, 109.11}));
  // In the overlap the smaller grid wins: 中网格 (0.025² deg²) against both parts less the hole
  // (2 × 0.02² − 0.01²), though it is bigger than either part.
  ASSERT_NE(idx.locate({33.51, 109.01}), nullptr);
  EXPECT_EQ(idx.locate({33.51, 109.01})->code, mid.code);
  auto o = idx.overlaps();
  ASSERT_EQ(o.size(), 1u);
  EXPECT_NEAR(o[0].fraction, 0.015 * 0.015 / (0.025 * 0.025), 1e-6);  // of 中网格
  // Not a polygon, an empty part, a part of two points: refused.
  GridShape bad;
  EXPECT_FALSE(polygon_from_geojson(R"({"type":"MultiPolygon","coordinates":[]})", bad));
  EXPECT_FALSE(polygon_from_geojson(R"({"type":"MultiPolygon","coordinates":[[]]})", bad));
  EXPECT_FALSE(
      polygon_from_geojson(R"({"type":"MultiPolygon","coordinates":[[[[1,1],[2,2]]]]})", bad));
  EXPECT_FALSE(polygon_from_geojson(R"({"type":"Point","coordinates":[1,1]})", bad));
  EXPECT_TRUE(bad.parts.empty());
}

// Boundaries the index could not route by reliably are named; what load corrects is not.
TEST(GridGeometry, a_crossing_ring_overlapping_parts_or_a_stray_hole_are_named) {
  auto problem = [](const char* geojson) {
    GridShape g;
    EXPECT_TRUE(polygon_from_geojson(geojson, g)) << geojson;
    return std::string(geometry_problem(g));
  };
  // A square, counter-clockwise and open: corrected on load.
  EXPECT_EQ(problem(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]})"), "");
  // The same drawn clockwise with a spike (out to 2,0.5 and straight back): corrected too.
  EXPECT_EQ(
      problem(
          R"({"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[1,0.5],[2,0.5],[1,0.5],[1,0],[0,0]]]})"),
      "");
  // A bow-tie 8字形: the ring crosses itself.
  EXPECT_EQ(problem(R"({"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]})"),
            "self_intersection");
  // Two parts, one drawn over the other.
  EXPECT_EQ(problem(R"({"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]],
                                                               [[[1,1],[3,1],[3,3],[1,3],[1,1]]]]})"),
            "parts_overlap");
  // Two parts apart: fine.
  EXPECT_EQ(problem(R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],
                                                               [[[5,5],[6,5],[6,6],[5,6],[5,5]]]]})"),
            "");
  // A hole outside its part.
  EXPECT_EQ(problem(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]],
                                                        [[5,5],[6,5],[6,6],[5,6],[5,5]]]})"),
            "hole_invalid");
}

// Where a map of the county opens (GET /counties): the middle of its lowest-coded grid, whatever
// the order the grids came in; nothing without grids.
TEST_F(RouterTest, a_map_of_the_grids_opens_on_the_lowest_coded_one) {
  GridShape b = testing::square("611026001001002", "二网格", testing::kRenhe, 33.60, 109.10, 0.02);
  GridShape a = testing::square("611026001001001", "一网格", testing::kRenhe, 33.50, 109.00, 0.02);
  GridIndex idx({b, a});
  auto c = idx.centre();
  ASSERT_TRUE(c.has_value());
  EXPECT_NEAR(c->lat, 33.51, 1e-9);
  EXPECT_NEAR(c->lon, 109.01, 1e-9);
  EXPECT_FALSE(GridIndex({}).centre().has_value());
}

TEST_F(RouterTest, creating_a_router_for_an_unknown_county_or_one_without_a_command_centre_fails) {
  auto unknown = RequestRouter::create(world, "619999000000", testing::make_matrix());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  world.all_units.erase(world.all_units.begin());  // the command centre
  auto headless = RequestRouter::create(world, testing::kCounty, testing::make_matrix());
  ASSERT_FALSE(headless.ok());
}

TEST_F(RouterTest, the_command_chain_goes_grid_village_township_county_and_stops_at_the_top) {
  CommandChain chain(world);
  auto v = chain.parent(find_unit(world, "grid-renhe1"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->id, "vc-renhe");
  auto t = chain.parent(*v);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->id, "tp-qianyou");
  auto c = chain.parent(*t);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->id, "cc");
  auto top = chain.parent(*c);
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.error().code, ErrorCode::kNotFound);
  // Departments go to the platform of their own division.
  EXPECT_EQ(chain.parent(find_unit(world, "dept-housing"))->id, "cc");
  EXPECT_EQ(chain.parent(find_unit(world, "st-water-qianyou"))->id, "tp-qianyou");
}

TEST_F(RouterTest, a_deadline_escalation_becomes_an_escalate_action_to_the_parent) {
  CommandChain chain(world);
  DeadlineEvent ev{DeadlineEventKind::kEscalate, "tm1", "T1", TimerKind::kResolution,
                   find_unit(world, "vc-renhe"), {},    {}};
  auto req = chain.escalation_request(ev);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->action, Action::kEscalate);
  EXPECT_EQ(req->target->id, "tp-qianyou");
  EXPECT_EQ(req->expected_holder_id, "vc-renhe");
  EXPECT_FALSE(req->note.empty());
  ev.kind = DeadlineEventKind::kWarning;
  EXPECT_FALSE(chain.escalation_request(ev).ok());
}

TEST(ResponsibilityMatrix, a_csv_matrix_loads_rows_categories_and_the_default) {
  const char* csv =
      "category,name_zh,name_en,unit_type,level,sla_tier\n"
      "*,,,township_platform,4,ordinary\n"
      "城乡建设,城乡建设,Construction,township_platform,4,\n"
      "城乡建设/供水,供水,Water,water,4,utilities\n"
      "城乡建设/道路,道路,Roads,,,\n";
  auto m = ResponsibilityMatrix::parse_csv("2026-11", csv);
  ASSERT_TRUE(m.ok()) << m.error().detail;
  EXPECT_TRUE(m->category("城乡建设/道路").ok());
  EXPECT_EQ(m->lookup("城乡建设/道路").category, "城乡建设");
  EXPECT_EQ(m->lookup("城乡建设/供水").unit_type, "water");
  EXPECT_TRUE(m->is_default(m->lookup("教育文体")));
  EXPECT_FALSE(m->category("教育文体").ok());
}

TEST(ResponsibilityMatrix, a_matrix_without_a_default_or_with_a_bad_level_is_refused) {
  auto no_default = ResponsibilityMatrix::parse_csv(
      "x", "category,name_zh,name_en,unit_type,level,sla_tier\n城乡建设,,,grid,6,\n");
  ASSERT_FALSE(no_default.ok());
  EXPECT_NE(no_default.error().detail.find("default"), std::string::npos);
  auto bad_level = ResponsibilityMatrix::parse_csv(
      "x", "category,name_zh,name_en,unit_type,level,sla_tier\n*,,,grid,9,\n");
  ASSERT_FALSE(bad_level.ok());
  EXPECT_NE(bad_level.error().detail.find("level"), std::string::npos);
}

// 100,000 synthetic 0.001° square grids (≈100 m) in a 250 × 400 block; each route is an R-tree
// lookup plus a point-in-polygon test. Not a benchmark (that lives in bench/), a guard that
// routing stays far below a millisecond at province-sized grid counts.
TEST(RouterScale, routing_among_100k_grids_takes_well_under_a_millisecond_on_average) {
  testing::MapHierarchy h;
  h.add_division(testing::kCounty, "柞水县", "611000000000", Level::kCounty);
  h.add_division(testing::kQianyou, "乾佑街道", testing::kCounty, Level::kTownship);
  h.add_division(testing::kRenhe, "仁和社区居委会", testing::kQianyou, Level::kVillage);
  h.all_units.push_back(testing::unit("cc", std::string(kUnitCommandCentre), testing::kCounty,
                                      Level::kCounty, "指挥中心"));
  h.all_units.push_back(testing::unit("tp", std::string(kUnitTownshipPlatform), testing::kQianyou,
                                      Level::kTownship, "平台"));
  const int rows = 250, cols = 400;
  const double side = 0.001, lat0 = 33.5, lon0 = 109.0;
  h.grids.reserve(rows * cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      char code[32];
      std::snprintf(code, sizeof code, "G%03d%03d", r, c);
      h.grids.push_back(
          testing::square(code, code, testing::kRenhe, lat0 + r * side, lon0 + c * side, side));
    }
  // CPU time, not wall time: the build machine is shared and wall clocks stall under load.
  std::clock_t t_build = std::clock();
  auto router = RequestRouter::create(h, testing::kCounty, testing::make_matrix());
  double build_ms = 1000.0 * double(std::clock() - t_build) / CLOCKS_PER_SEC;
  ASSERT_TRUE(router.ok());
  ASSERT_EQ(router->grids().size(), 100000u);
  h.add_division("G123321", "G123321", testing::kRenhe, Level::kGrid);

  std::mt19937 rng(42);
  std::uniform_real_distribution<double> dlat(lat0, lat0 + rows * side),
      dlon(lon0, lon0 + cols * side);
  const int n = 2000;
  int routed = 0;
  std::clock_t t0 = std::clock();
  for (int i = 0; i < n; ++i) {
    auto d = router->route({"城乡建设", GeoPoint{dlat(rng), dlon(rng)}, ""});
    if (d.ok() && !d->grid_code.empty() && d->unit.id == "tp") ++routed;
  }
  double avg_us = 1e6 * double(std::clock() - t0) / CLOCKS_PER_SEC / n;
  std::printf("[ measure  ] 100k grids: index build %.0f ms CPU, route avg %.1f us CPU over %d\n",
              build_ms, avg_us, n);
  EXPECT_EQ(routed, n);
  EXPECT_LT(avg_us, 500.0);  // "well under 1 ms"
  // A known point lands in its own square.
  auto d = router->route({"城乡建设", GeoPoint{lat0 + 123.5 * side, lon0 + 321.5 * side}, ""});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->grid_code, "G123321");
}

// Overlapping grids 网格重叠 in a boundary file: neighbours that share an edge do not overlap; a
// grid drawn over part of another does, with the share of the smaller one; slivers under the
// threshold are left out.
TEST_F(RouterTest, overlapping_grids_are_found_and_neighbours_sharing_an_edge_are_not) {
  GridShape a = testing::square("A", "甲", testing::kRenhe, 33.50, 109.00, 0.02);
  GridShape b = testing::square("B", "乙（相邻）", testing::kRenhe, 33.50, 109.02, 0.02);
  GridShape c = testing::square("C", "丙（压在甲上）", testing::kRenhe, 33.505, 109.005, 0.01);
  GridShape d = testing::square("D", "丁（擦边）", testing::kRenhe, 33.50, 109.0399999, 0.02);
  GridIndex idx({a, b, c, d});
  auto o = idx.overlaps(0.001);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].a, 0u);
  EXPECT_EQ(o[0].b, 2u);
  EXPECT_NEAR(o[0].fraction, 1.0, 1e-6);  // 丙 lies wholly inside 甲
  // The sliver between 乙 and 丁 counts only with a threshold below its share.
  EXPECT_EQ(idx.overlaps(0).size(), 2u);
}

}  // namespace
}  // namespace gj::requests
