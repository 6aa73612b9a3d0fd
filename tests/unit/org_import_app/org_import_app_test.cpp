// Importing a county's grids 网格 and units 单位 through app::OrgImportService, in-process on
// real SQLite and real PostgreSQL ($GJ_TEST_POSTGRES_URL): the next intake on every node routes
// by the imported boundaries; a dry run or a file with any problem writes nothing; re-imports are
// idempotent and keep the grid worker; the importer's role and scope are enforced; a unit whose
// kind changed invalidates the routing caches of the other nodes (migration 0018); an export
// reads back unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "app/config_service.hpp"
#include "app/org_import.hpp"
#include "domain/auth/passwords.hpp"
#include "requests_fixture.hpp"
#include "store/repos/access_repo.hpp"
#include "store/repos/requests_repo.hpp"

using namespace gj;

namespace {

using gj::testing::Backend;
using gj::testing::kCommunity;
using gj::testing::kCounty;
using gj::testing::kGrid;
using gj::testing::kLat;
using gj::testing::kLon;
using gj::testing::RequestsFixture;

// A new grid of 城区社区 about 12 km north-east of the seeded ones.
constexpr const char* kNewGrid = "611026001001002";
constexpr double kNewLat = 33.80, kNewLon = 109.20;

std::string square(double lat, double lon, double d = 0.004) {
  char buf[320];
  std::snprintf(
      buf, sizeof buf,
      R"({"type":"Polygon","coordinates":[[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]]})",
      lon - d, lat - d, lon + d, lat - d, lon + d, lat + d, lon - d, lat + d, lon - d, lat - d);
  return buf;
}
std::string grid_feature(const std::string& code, const std::string& name,
                         const std::string& geometry, const std::string& extra = "") {
  return R"({"type":"Feature","properties":{"code":")" + code + R"(","name":")" + name + "\"" +
         extra + R"(},"geometry":)" + geometry + "}";
}
std::string collection(const std::string& features) {
  return R"({"type":"FeatureCollection","features":[)" + features + "]}";
}

class OrgImportApp : public RequestsFixture {
 protected:
  void SetUp() override {
    RequestsFixture::SetUp();
    if (IsSkipped()) return;  // no PostgreSQL configured: there is no store to add to
    admin_ = add("countyadmin", "admin", kCounty);
  }
  bool division_exists(const std::string& code) {
    auto d = db_->read_value<store::DivisionRow>(
        [&](store::Session& s) { return store::divisions::get(s, code); });
    return d.ok();
  }
  std::string signature() {
    return *db_->read_value<std::string>(
        [](store::Session& s) { return store::request_config::routing_signature(s, kCounty); });
  }
  auth::Principal admin_;
};

TEST_P(OrgImportApp, an_imported_grid_routes_the_next_request_on_every_node) {
  // A second node on the same store, its routing cache built before the import.
  RandomIdGenerator ids2;
  app::App node2(*db_, clock_, ids2);
  auto before = node2.requests().submit(citizen(), pothole(kNewLat, kNewLon));
  ASSERT_TRUE(before.ok()) << before.error().detail;
  EXPECT_EQ(before->detail.view.row.grid_code, "");  // outside every grid: manual dispatch

  app::OrgImportService svc(*app_);
  std::vector<std::string> stages;
  auto r = svc.import_grids(
      &admin_,
      collection(grid_feature(kNewGrid, "城区第二网格", square(kNewLat, kNewLon),
                              R"(,"households":300,"residents":760)")),
      false, [&](const std::string& stage, int64_t, int64_t) { stages.push_back(stage); });
  ASSERT_TRUE(r.ok()) << r.error().detail;
  ASSERT_TRUE(r->ok()) << r->problems.front().reason;
  EXPECT_EQ(r->added, 1);
  EXPECT_EQ(r->villages, 1);
  EXPECT_EQ(r->not_in_file, 1);  // kGrid, in the same community, kept
  // 0.008° × 0.008° at 33.8°N.
  EXPECT_NEAR(r->area_km2, std::pow(0.008 * 111.32, 2) * std::cos(33.8 * M_PI / 180), 0.01);
  EXPECT_EQ(stages.front(), "parse");
  EXPECT_EQ(stages.back(), "write");
  EXPECT_EQ(audit_count("org.grids.import"), 1);

  for (app::App* node : {app_.get(), &node2}) {
    auto t = node->requests().submit(citizen(), pothole(kNewLat + 0.001, kNewLon - 0.001));
    ASSERT_TRUE(t.ok()) << t.error().detail;
    EXPECT_EQ(t->detail.view.row.grid_code, kNewGrid);
    EXPECT_EQ(t->detail.view.row.unit_type, "grid");
  }
  auto g = db_->read_value<store::GridRow>(
      [&](store::Session& s) { return store::grids::get(s, kNewGrid); });
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->households, 300);
  EXPECT_EQ(g->residents, 760);
}

// A grid in two parts 多块网格: a request from either part goes to it, one from between the
// parts does not, and the public map of the county's grids draws both parts.
TEST_P(OrgImportApp, a_grid_in_two_parts_routes_requests_from_either_part) {
  auto part = [](double lat, double lon) {
    std::string sq = square(lat, lon);  // {"type":"Polygon","coordinates":[[…]]}
    return sq.substr(sq.find("[["), sq.rfind("]]") + 2 - sq.find("[["));
  };
  std::string two = R"({"type":"MultiPolygon","coordinates":[)" + part(kNewLat, kNewLon) + "," +
                    part(kNewLat, kNewLon + 0.02) + "]}";
  app::OrgImportService svc(*app_);
  auto r = svc.import_grids(&admin_, collection(grid_feature(kNewGrid, "两岸网格", two)), false);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  ASSERT_TRUE(r->ok()) << r->problems.front().reason;
  EXPECT_EQ(r->added, 1);
  EXPECT_NEAR(r->area_km2, 2 * std::pow(0.008 * 111.32, 2) * std::cos(33.8 * M_PI / 180), 0.02);

  for (double lon : {kNewLon + 0.001, kNewLon + 0.021}) {
    auto t = app_->requests().submit(citizen(), pothole(kNewLat, lon));
    ASSERT_TRUE(t.ok()) << t.error().detail;
    EXPECT_EQ(t->detail.view.row.grid_code, kNewGrid) << lon;
  }
  auto between = app_->requests().submit(citizen(), pothole(kNewLat, kNewLon + 0.01));
  ASSERT_TRUE(between.ok()) << between.error().detail;
  EXPECT_EQ(between->detail.view.row.grid_code, "");

  auto map = app_->requests().county_grids(kCounty);
  ASSERT_TRUE(map.ok()) << map.error().detail;
  auto it =
      std::find_if(map->begin(), map->end(), [](const auto& g) { return g.code == kNewGrid; });
  ASSERT_NE(it, map->end());
  EXPECT_EQ(it->parts.size(), 2u);
}

TEST_P(OrgImportApp, a_dry_run_or_a_file_with_any_problem_writes_nothing) {
  app::OrgImportService svc(*app_);
  std::string good = grid_feature(kNewGrid, "城区第二网格", square(kNewLat, kNewLon));
  auto dry = svc.import_grids(&admin_, collection(good), true);
  ASSERT_TRUE(dry.ok());
  EXPECT_TRUE(dry->ok());
  EXPECT_EQ(dry->added, 1);
  ASSERT_EQ(dry->preview.size(), 1u);
  EXPECT_EQ(dry->preview[0].status, "added");
  EXPECT_FALSE(division_exists(kNewGrid));

  // One good feature, one whose village is not in the store, one outside the admin's county.
  auto bad = svc.import_grids(
      &admin_,
      collection(good + "," +
                 grid_feature("611026001099001", "无此社区", square(kNewLat, kNewLon + 0.02)) +
                 "," + grid_feature("610103001001009", "碑林区的网格", square(34.2, 108.9))),
      false);
  ASSERT_TRUE(bad.ok());
  ASSERT_EQ(bad->problems.size(), 2u);
  EXPECT_EQ(bad->problems[0].item, 2);
  EXPECT_EQ(bad->problems[0].reason, "village_unknown");
  EXPECT_EQ(bad->problems[1].item, 3);
  EXPECT_EQ(bad->problems[1].reason, "out_of_scope");
  EXPECT_EQ(bad->added, 0);
  EXPECT_FALSE(division_exists(kNewGrid));
  EXPECT_EQ(audit_count("org.grids.import"), 0);

  auto units = svc.import_units(
      &admin_,
      "name,kind,division_code\n柞水县城管局,城市管理部门,611026000000\n甲,部门,611026999000\n",
      false);
  ASSERT_TRUE(units.ok());
  ASSERT_EQ(units->problems.size(), 1u);
  EXPECT_EQ(units->problems[0].reason, "division_unknown");
  auto found = db_->read_value<std::optional<store::UnitRow>>(
      [](store::Session& s) { return store::units::find(s, kCounty, "柞水县城管局"); });
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_P(OrgImportApp, reimports_change_only_what_differs_and_keep_the_grid_worker) {
  app::OrgImportService svc(*app_);
  auto worker = db_->read_value<store::GridRow>(
      [](store::Session& s) { return store::grids::get(s, kGrid); });
  ASSERT_TRUE(worker.ok());
  // The seeded grid redrawn by the county (a new boundary, households not in the file).
  std::string redrawn = grid_feature(kGrid, "城区第一网格", square(33.70, 109.10, 0.003));
  std::string fresh = grid_feature(kNewGrid, "城区第二网格", square(kNewLat, kNewLon));
  auto first = svc.import_grids(nullptr, collection(redrawn + "," + fresh), false);
  ASSERT_TRUE(first.ok() && first->ok());
  EXPECT_EQ(first->added, 1);
  EXPECT_EQ(first->changed, 1);
  auto again = svc.import_grids(nullptr, collection(redrawn + "," + fresh), false);
  ASSERT_TRUE(again.ok() && again->ok());
  EXPECT_EQ(again->added + again->changed, 0);
  EXPECT_EQ(again->unchanged, 2);
  auto after = db_->read_value<store::GridRow>(
      [](store::Session& s) { return store::grids::get(s, kGrid); });
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->worker_user_id, worker->worker_user_id);
  EXPECT_EQ(after->households, worker->households);
  EXPECT_NE(after->polygon, worker->polygon);

  // The export reads back as "nothing to change".
  auto exported = svc.export_grids(admin_, kCommunity);
  ASSERT_TRUE(exported.ok()) << exported.error().detail;
  auto round = svc.import_grids(&admin_, *exported, true);
  ASSERT_TRUE(round.ok() && round->ok());
  EXPECT_EQ(round->read, 2);
  EXPECT_EQ(round->unchanged, 2);
}

// A re-division 网格调整: the community's new layer replaces kGrid by a bigger grid. With
// retire_missing the dry run lists kGrid with the unfinished request it holds and writes nothing;
// the import retires it: the next request at the same point goes to the new grid, kGrid leaves
// the public map and the export, and its grid worker still finishes the request it held. A later
// file naming kGrid brings it back.
TEST_P(OrgImportApp, a_redivision_retires_the_grids_the_new_layer_leaves_out) {
  auto held = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(held.ok()) << held.error().detail;
  ASSERT_EQ(held->detail.view.row.grid_code, kGrid);
  int64_t held_id = held->detail.view.row.id;
  // Two registered households 登记住户 of kGrid: one where the new grid will be, one beyond it.
  ASSERT_TRUE(db_->write([](store::Session& s) {
                   return store::access_repo::insert_households(
                       s, {{0, kGrid, "城区社区东门1号", kLat, kLon, 3, 0},
                           {0, kGrid, "城区社区飞地2号", kLat + 0.2, kLon + 0.2, 2, 0}});
                 })
                  .ok());
  auto homes_in = [&](const std::string& grid) {
    return *db_->read_value<int64_t>(
        [&](store::Session& s) { return store::access_repo::count_households(s, grid); });
  };

  app::OrgImportService svc(*app_);
  std::string layer = collection(grid_feature(kNewGrid, "城区合并网格", square(kLat, kLon, 0.01)));
  auto dry = svc.import_grids(&admin_, layer, true, {}, true);
  ASSERT_TRUE(dry.ok()) << dry.error().detail;
  ASSERT_TRUE(dry->ok());
  EXPECT_EQ(dry->added, 1);
  EXPECT_EQ(dry->retired, 1);
  EXPECT_EQ(dry->overlaps, 0);  // the new layer over the old one is the point
  ASSERT_EQ(dry->retiring.size(), 1u);
  EXPECT_EQ(dry->retiring[0].code, kGrid);
  EXPECT_EQ(dry->retiring[0].open_requests, 1);
  EXPECT_EQ(dry->retiring[0].households, 2);
  EXPECT_EQ(dry->retiring[0].households_moved, 1);  // the other lies outside every grid
  EXPECT_EQ(homes_in(kGrid), 2);
  EXPECT_EQ(dry->retiring[0].worker_name, "gridworker");  // the fixture's grid worker
  EXPECT_TRUE(std::any_of(dry->preview.begin(), dry->preview.end(),
                          [](const auto& p) { return p.code == kGrid && p.status == "retired"; }));
  auto still = app_->requests().submit(citizen(), pothole(kLat + 0.001, kLon));
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->detail.view.row.grid_code, kGrid);  // a dry run changes nothing

  // Without the switch the old grid is kept, as before.
  auto keep = svc.import_grids(&admin_, layer, true);
  ASSERT_TRUE(keep.ok() && keep->ok());
  EXPECT_EQ(keep->retired, 0);
  EXPECT_EQ(keep->not_in_file, 1);

  auto done = svc.import_grids(&admin_, layer, false, {}, true);
  ASSERT_TRUE(done.ok() && done->ok());
  EXPECT_EQ(done->retired, 1);
  EXPECT_EQ(audit_count("org.grids.import"), 1);
  auto row = db_->read_value<store::GridRow>(
      [](store::Session& s) { return store::grids::get(s, kGrid); });
  ASSERT_TRUE(row.ok());
  EXPECT_TRUE(row->retired_at.has_value());
  EXPECT_FALSE(row->polygon.empty());  // its history keeps its boundary
  EXPECT_EQ(done->households_moved, 1);
  EXPECT_EQ(homes_in(kNewGrid), 1);
  EXPECT_EQ(homes_in(kGrid), 1);

  auto next = app_->requests().submit(citizen(), pothole(kLat + 0.001, kLon));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->detail.view.row.grid_code, kNewGrid);
  auto map = app_->requests().county_grids(kCounty);
  ASSERT_TRUE(map.ok());
  EXPECT_TRUE(
      std::none_of(map->begin(), map->end(), [](const auto& g) { return g.code == kGrid; }));
  auto exported = svc.export_grids(admin_, kCommunity);
  ASSERT_TRUE(exported.ok());
  EXPECT_EQ(exported->find(kGrid), std::string::npos);
  // The request kGrid held stays with its grid worker, who finishes it.
  act(grid_, held_id, "claim");
  EXPECT_EQ(act(grid_, held_id, "start").view.row.status, "in_progress");

  // Retiring again retires nothing more; naming kGrid again brings it back.
  auto twice = svc.import_grids(&admin_, layer, true, {}, true);
  ASSERT_TRUE(twice.ok() && twice->ok());
  EXPECT_EQ(twice->retired, 0);
  std::string both =
      collection(grid_feature(kNewGrid, "城区合并网格", square(kLat, kLon, 0.01)) + "," +
                 grid_feature(kGrid, "城区第一网格", square(kLat, kLon, 0.002)));
  auto back = svc.import_grids(&admin_, both, false);
  ASSERT_TRUE(back.ok() && back->ok());
  EXPECT_EQ(back->changed, 1);
  EXPECT_EQ(back->unchanged, 1);
  auto again = app_->requests().submit(citizen(), pothole(kLat + 0.001, kLon));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->detail.view.row.grid_code, kGrid);  // the smaller grid again
}

TEST_P(OrgImportApp, only_administrators_import_and_only_inside_their_scope) {
  app::OrgImportService svc(*app_);
  std::string file = collection(grid_feature(kNewGrid, "城区第二网格", square(kNewLat, kNewLon)));
  auto by_command = svc.import_grids(&command_, file, true);
  ASSERT_FALSE(by_command.ok());
  EXPECT_EQ(by_command.error().code, ErrorCode::kForbidden);
  auto town_admin = add("yingpanadmin", "admin", "611026101000");
  auto outside = svc.import_grids(&town_admin, file, false);
  ASSERT_TRUE(outside.ok());
  ASSERT_EQ(outside->problems.size(), 1u);
  EXPECT_EQ(outside->problems[0].reason, "out_of_scope");
  EXPECT_FALSE(division_exists(kNewGrid));
  auto other_county = svc.export_grids(town_admin, kCounty);
  ASSERT_FALSE(other_county.ok());
  EXPECT_EQ(other_county.error().code, ErrorCode::kNotFound);
}

TEST_P(OrgImportApp, a_unit_whose_kind_changed_moves_the_routing_signature) {
  app::OrgImportService svc(*app_);
  auto add = svc.import_units(
      &admin_, "name,kind,division_code\n柞水县城管局,城市管理部门,611026000000\n", false);
  ASSERT_TRUE(add.ok() && add->ok());
  EXPECT_EQ(add->added, 1);
  EXPECT_EQ(add->new_kinds, std::vector<std::string>{"城市管理部门"});
  std::string s1 = signature();
  auto same = svc.import_units(
      &admin_, "name,kind,division_code\n柞水县城管局,城市管理部门,611026000000\n", false);
  ASSERT_TRUE(same.ok() && same->ok());
  EXPECT_EQ(same->unchanged, 1);
  EXPECT_EQ(signature(), s1);
  // Same unit count and ids: only the trigger of 0018 tells the other nodes.
  auto kind = svc.import_units(
      &admin_, "name,kind,division_code\n柞水县城管局,综合执法部门,611026000000\n", false);
  ASSERT_TRUE(kind.ok() && kind->ok());
  EXPECT_EQ(kind->changed, 1);
  EXPECT_NE(signature(), s1);
  EXPECT_EQ(audit_count("org.units.import"), 2);
}

// 机构改革: a reform renames the county's city-management bureau. Both units are of the kind the
// matrix sends 环境卫生 to, and routing takes the lowest id: before the reform file retires the
// old bureau, requests went on to it. After it, they go to the successor; the old one keeps its
// open request and its staff, cannot be dispatched to or given to an account, and comes back
// when a later file names it.
TEST_P(OrgImportApp, a_reform_withdraws_the_units_its_file_leaves_out_and_routing_follows) {
  app::OrgImportService svc(*app_);
  auto first = svc.import_units(
      &admin_, "name,kind,division_code\n柞水县城管局,城市管理部门,611026000000\n", false);
  ASSERT_TRUE(first.ok() && first->ok());
  app::ConfigService cfg(*app_);
  ASSERT_TRUE(cfg.put_matrix(command_, {"0106", "城市管理部门", 3, "", ""}).ok());
  auto old_unit = app_->db().read_value<std::optional<store::UnitRow>>(
      [](store::Session& s) { return store::units::find(s, "611026000000", "柞水县城管局"); });
  ASSERT_TRUE(old_unit.ok() && *old_unit);
  const int64_t old_id = (**old_unit).id;
  auto before = app_->requests().submit(citizen(), pothole());
  ASSERT_TRUE(before.ok()) << before.error().detail;
  EXPECT_EQ(before->detail.view.row.unit_id, std::to_string(old_id));
  auto staff = add("old.bureau", "department", "", old_id);

  // The reform's file names the new bureau only; a dry run lists what the old one holds.
  const std::string reform =
      "name,kind,division_code\n柞水县城市管理和综合执法局,城市管理部门,611026000000\n";
  auto check = svc.import_units(&admin_, reform, true, {}, true);
  ASSERT_TRUE(check.ok() && check->ok());
  EXPECT_EQ(check->added, 1);
  EXPECT_EQ(check->retired, check->not_in_file);
  auto it = std::find_if(check->retiring_units.begin(), check->retiring_units.end(),
                         [&](const auto& u) { return u.id == old_id; });
  ASSERT_NE(it, check->retiring_units.end());
  EXPECT_EQ(it->open_requests, 1);
  EXPECT_EQ(it->staff, 1);
  auto after_check = app_->requests().submit(citizen(), pothole(kLat + 0.0001, kLon));
  ASSERT_TRUE(after_check.ok());
  EXPECT_EQ(after_check->detail.view.row.unit_id, std::to_string(old_id));  // nothing written

  auto done = svc.import_units(&admin_, reform, false, {}, true);
  ASSERT_TRUE(done.ok() && done->ok());
  auto next = app_->requests().submit(citizen(), pothole(kLat + 0.0002, kLon));
  ASSERT_TRUE(next.ok());
  EXPECT_NE(next->detail.view.row.unit_id, std::to_string(old_id));
  EXPECT_EQ(next->detail.view.row.unit_name, "柞水县城市管理和综合执法局");
  // The old bureau's staff still see and finish what it holds.
  EXPECT_TRUE(app_->requests().get(staff, before->detail.view.row.id).ok());
  // Nobody can be given it.
  app::NewUser nu{"new.bureau", "新人", "Bureau-Pass-2026", "department", "", "", "", old_id};
  auto refused = app_->create_user(admin_, nu);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kRetiredUnit);
  // The unit list marks it; a later file naming it brings it back.
  auto units = app_->org_units(admin_, "", "611026000000");
  ASSERT_TRUE(units.ok());
  bool marked = false;
  for (const auto& u : *units) marked = marked || (u.id == old_id && u.retired_at.has_value());
  EXPECT_TRUE(marked);
  auto back = svc.import_units(
      &admin_, "name,kind,division_code\n柞水县城管局,城市管理部门,611026000000\n", false);
  ASSERT_TRUE(back.ok() && back->ok());
  EXPECT_EQ(back->changed, 1);
  EXPECT_TRUE(app_->create_user(admin_, nu).ok());
}

TEST_P(OrgImportApp, overlapping_grids_are_imported_with_a_warning_for_each_overlap) {
  app::OrgImportService svc(*app_);
  // 甲 and 乙 share an edge (no warning); 丙 lies inside 甲; 丁 covers part of the seeded kGrid
  // (a 500 m square around 33.70, 109.10).
  std::string file = collection(
      grid_feature(kNewGrid, "甲", square(kNewLat, kNewLon)) + "," +
      grid_feature("611026001001003", "乙", square(kNewLat, kNewLon + 0.008)) + "," +
      grid_feature("611026001001004", "丙", square(kNewLat + 0.001, kNewLon + 0.001, 0.001)) + "," +
      grid_feature("611026001001005", "丁", square(33.702, 109.102, 0.002)));
  auto r = svc.import_grids(&admin_, file, true);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->ok());
  EXPECT_EQ(r->overlaps, 2);
  ASSERT_EQ(r->warnings.size(), 2u);
  EXPECT_EQ(r->warnings[0].item, 1);
  EXPECT_EQ(r->warnings[0].reason, "overlaps");
  EXPECT_EQ(r->warnings[0].value, "611026001001004 100%");
  EXPECT_EQ(r->warnings[1].item, 4);
  EXPECT_EQ(r->warnings[1].value.substr(0, 16), std::string(kGrid) + " ");
  ASSERT_EQ(r->preview.size(), 4u);
  // The preview's surroundings: the stored grid 丁 was drawn over (the file reaches 33.70 N).
  ASSERT_EQ(r->context.size(), 1u);
  EXPECT_EQ(r->context[0].code, kGrid);
  EXPECT_EQ(r->context[0].status, "existing");
  EXPECT_TRUE(r->preview[0].overlaps);
  EXPECT_FALSE(r->preview[1].overlaps);
  EXPECT_TRUE(r->preview[2].overlaps);
  // Warnings do not stop an import.
  auto w = svc.import_grids(&admin_, file, false);
  ASSERT_TRUE(w.ok() && w->ok());
  EXPECT_EQ(w->added, 4);
}

TEST_P(OrgImportApp, an_imported_grid_shows_the_grid_worker_scoped_to_it) {
  app::OrgImportService svc(*app_);
  auto r = svc.import_grids(
      &admin_, collection(grid_feature(kNewGrid, "城区第二网格", square(kNewLat, kNewLon))), false);
  ASSERT_TRUE(r.ok() && r->ok());
  auto worker = [&] {
    return db_
        ->read_value<store::GridRow>(
            [](store::Session& s) { return store::grids::get(s, kNewGrid); })
        ->worker_user_id;
  };
  EXPECT_FALSE(worker().has_value());
  auto first = add("wangfang", "grid_worker", kNewGrid);
  EXPECT_EQ(worker(), first.user_id);
  auto second = add("liming", "grid_worker", kNewGrid);
  EXPECT_EQ(worker(), first.user_id);  // the grid keeps its worker
  app::UserPatch off;
  off.disabled = true;
  ASSERT_TRUE(app_->update_user(admin_, first.user_id, off).ok());
  EXPECT_EQ(worker(), second.user_id);  // the other one takes over
  app::UserPatch moved;
  moved.scope_code = kGrid;
  ASSERT_TRUE(app_->update_user(admin_, second.user_id, moved).ok());
  EXPECT_FALSE(worker().has_value());
}

// `gongjian user import`: a county's staff accounts from one CSV file.
TEST_P(OrgImportApp, staff_accounts_are_imported_all_or_nothing_with_initial_passwords) {
  const std::string header =
      "username,display_name,role,scope_code,unit_division_code,unit_name,phone,email\n";
  std::string bad = header + "zhang.grid,张伟,grid_worker," + kGrid + ",,,12345,\n" +  // 2: phone
                    "li.dept,李娜,department,,611026000000,没有的局,,\n" +             // 3: unit
                    "wu.cadre,吴军,village," + kCommunity + ",,,,\n" +                 // 4: fine
                    "wu.cadre,吴军,village," + kCommunity + ",,,,\n" +                 // 5: twice
                    "command,重名,command,611026000000,,,,\n";                         // 6: exists
  const int64_t users_before = audit_count("user.create");  // the fixture's
  auto r = app_->import_users(nullptr, bad, false);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  std::vector<std::pair<int64_t, std::string>> got;
  for (const auto& p : r->problems) got.emplace_back(p.line, p.error.field);
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, std::string>>{
                     {2, "phone"}, {3, "unit_name"}, {5, "username"}, {6, "username"}}));
  EXPECT_EQ(r->added, 0);
  EXPECT_TRUE(r->passwords.empty());
  auto none = db_->read_value<auth::UserRecord>(
      [](store::Session& s) { return store::users::by_username(s, "wu.cadre"); });
  EXPECT_FALSE(none.ok());  // the good row was not written either

  std::string good =
      header + "zhang.grid,张伟,grid_worker," + kGrid + ",,,13912345678,\n" +
      "li.dept,李娜,department,,611026000000,柞水县住房和城乡建设局,,li@example.cn\n";
  auto dry = app_->import_users(nullptr, good, true);
  ASSERT_TRUE(dry.ok() && dry->problems.empty());
  EXPECT_EQ(dry->read, 2);
  EXPECT_TRUE(dry->passwords.empty());
  EXPECT_EQ(audit_count("user.create"), users_before);

  std::vector<std::string> stages;
  auto ok =
      app_->import_users(nullptr, good, false,
                         {[&](const std::string& st, int64_t, int64_t) { stages.push_back(st); }});
  ASSERT_TRUE(ok.ok()) << ok.error().detail;
  ASSERT_TRUE(ok->problems.empty()) << ok->problems.front().error.detail;
  EXPECT_EQ(ok->added, 2);
  ASSERT_EQ(ok->passwords.size(), 2u);
  EXPECT_EQ(stages.back(), "write");
  EXPECT_EQ(audit_count("user.create"), users_before + 2);
  // Each generated password signs its account in.
  for (const auto& [user, password] : ok->passwords) {
    EXPECT_TRUE(auth::check_password_rules(password).ok()) << password;
    auto login = app_->login(user, password, "10.0.0.9", "req-1");
    EXPECT_TRUE(login.ok()) << user;
  }
  auto dept = db_->read_value<auth::UserRecord>(
      [](store::Session& s) { return store::users::by_username(s, "li.dept"); });
  ASSERT_TRUE(dept.ok());
  EXPECT_EQ(dept->unit_id, dept_unit_);
  EXPECT_EQ(dept->email, "li@example.cn");
  // The generated password is for the first sign-in only: it cannot be kept, and choosing one's
  // own clears the flag.
  EXPECT_TRUE(dept->must_change_password);
  auth::Principal li;
  li.user_id = dept->id;
  li.username = "li.dept";
  std::string initial = ok->passwords[1].second;
  auto same = app_->change_password(li, initial, initial);
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().code, ErrorCode::kWeakPassword);
  ASSERT_TRUE(app_->change_password(li, initial, "Lina-own-2026").ok());
  auto after = db_->read_value<auth::UserRecord>(
      [](store::Session& s) { return store::users::by_username(s, "li.dept"); });
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->must_change_password);
  EXPECT_FALSE(after->password_issued_at.has_value());

  // An initial password left unused for more than 7 days no longer signs in (it was handed out
  // on paper or sits in a file); one's own still does; an administrator's reset issues a new one.
  const auto& [unused_user, unused_pw] = ok->passwords[0];
  clock_.advance(std::chrono::hours(24 * 7 + 1));
  auto expired = app_->login(unused_user, unused_pw, "10.0.0.9", "req-2");
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kPasswordExpired);
  EXPECT_TRUE(app_->login("li.dept", "Lina-own-2026", "10.0.0.9", "req-3").ok());
  auto unused = db_->read_value<auth::UserRecord>(
      [&](store::Session& s) { return store::users::by_username(s, unused_user); });
  ASSERT_TRUE(unused.ok());
  ASSERT_TRUE(app_->reset_password(admin_, unused->id, "Reset-By-Admin-2026").ok());
  auto reset = app_->login(unused_user, "Reset-By-Admin-2026", "10.0.0.9", "req-4");
  ASSERT_TRUE(reset.ok()) << reset.error().detail;
  EXPECT_TRUE(reset->user.must_change_password);
}

INSTANTIATE_TEST_SUITE_P(Backends, OrgImportApp,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

}  // namespace
