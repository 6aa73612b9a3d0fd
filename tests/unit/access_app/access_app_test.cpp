// The 15-minute service circle as a product, in-process on real SQLite and real PostgreSQL:
// `import osm` stores what the engine needs, `access run` stores exactly what the engine
// computes directly from the file, bad files change nothing, and facility writes are scoped
// and audited.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "app/access_service.hpp"
#include "app/app.hpp"
#include "import/osm/osm_reader.hpp"
#include "store/repos/repos.hpp"
#include "test_store.hpp"

using namespace gj;
namespace ar = store::access_repo;

namespace {

const std::string kChengdu = std::string(GJ_SOURCE_DIR) + "/data/osm/chengdu_center_2018.osm";
const std::string kFixtures = std::string(GJ_SOURCE_DIR) + "/tests/fixtures/osm/";
constexpr const char* kArea = "510100000000";

class AccessApp : public ::testing::TestWithParam<gj::testing::Backend> {
 protected:
  void SetUp() override {
    auto ts = gj::testing::open_test_store(GetParam());
    if (!ts.db) GTEST_SKIP() << ts.skip_reason;
    db_ = std::move(ts.db);
    app::Config cfg;
    cfg.password = {1, 1024, 1};
    app_ = std::make_unique<app::App>(*db_, clock_, ids_, cfg);
    svc_ = std::make_unique<app::AccessService>(*app_);
    ASSERT_TRUE(db_->write([](store::Session& s) -> Status {
                     for (const auto& d :
                          {org::Division{"510000000000", "", "四川省", org::Level::kProvince},
                           org::Division{kArea, "510000000000", "成都市", org::Level::kCity},
                           org::Division{"610000000000", "", "陕西省", org::Level::kProvince}})
                       if (auto r = store::divisions::upsert(s, d); !r.ok()) return r.error();
                     return {};
                   })
                    .ok());
    chengdu_ = principal("cd.command", "command", kArea);
    shaanxi_ = principal("sx.command", "command", "610000000000");
  }
  void TearDown() override {
    if (db_) db_->close();
  }

  auth::Principal principal(const std::string& name, const std::string& role,
                            const std::string& scope) {
    app::NewUser u;
    u.username = name;
    u.display_name = name;
    u.password = "Password-2026";
    u.role = role;
    u.scope_code = scope;
    auto id = app_->cli_add_user(u);
    EXPECT_TRUE(id.ok()) << id.error().detail;
    auth::Principal p;
    p.user_id = id.ok() ? *id : 0;
    p.username = name;
    p.role = *auth::parse_role(role);
    p.scope_code = scope;
    return p;
  }

  app::OsmImportOptions area() {
    app::OsmImportOptions o;
    o.division_code = kArea;
    return o;
  }

  struct Counts {
    int64_t networks, facilities, residences, audit;
  };
  Counts counts() {
    Counts c{};
    EXPECT_TRUE(db_->read([&](store::Session& s) -> Status {
                     c.networks = s.query_one("SELECT COUNT(*) FROM access_networks")->i64(0);
                     c.facilities = s.query_one("SELECT COUNT(*) FROM access_facilities")->i64(0);
                     c.residences = s.query_one("SELECT COUNT(*) FROM access_residences")->i64(0);
                     c.audit = s.query_one("SELECT COUNT(*) FROM audit_log")->i64(0);
                     return {};
                   })
                    .ok());
    return c;
  }

  int64_t count_audit(const std::string& action) {
    int64_t n = 0;
    (void)db_->read([&](store::Session& s) -> Status {
      n = s.query_one("SELECT COUNT(*) FROM audit_log WHERE action = $1", {action})->i64(0);
      return {};
    });
    return n;
  }

  // A test grid (synthetic) under 锦江区 whose square covers the fixture's one apartment block.
  void add_test_grid() {
    ASSERT_TRUE(
        db_->write([](store::Session& s) -> Status {
             using org::Kind;
             using org::Level;
             for (const auto& d :
                  {org::Division{"510104000000", kArea, "锦江区", Level::kCounty, Kind::kCounty},
                   org::Division{"510104001000", "510104000000", "测试街道", Level::kTownship,
                                 Kind::kStreet, true},
                   org::Division{"510104001001", "510104001000", "测试社区", Level::kVillage,
                                 Kind::kCommunity, true},
                   org::Division{"510104001001001", "510104001001", "第1网格", Level::kGrid,
                                 Kind::kGrid, true}})
               if (auto r = store::divisions::upsert(s, d); !r.ok()) return r.error();
             store::GridRow g;
             g.code = "510104001001001";
             g.polygon = R"({"type":"Polygon","coordinates":[[[104.061,30.660],[104.062,30.660],)"
                         R"([104.062,30.661],[104.061,30.661],[104.061,30.660]]]})";
             return store::grids::upsert(s, g);
           })
            .ok());
  }

  int64_t count(const std::string& sql) {
    int64_t n = -1;
    (void)db_->read([&](store::Session& s) -> Status {
      n = s.query_one(sql)->i64(0);
      return {};
    });
    return n;
  }

  SystemClock clock_;
  RandomIdGenerator ids_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<app::App> app_;
  std::unique_ptr<app::AccessService> svc_;
  auth::Principal chengdu_, shaanxi_;
};

TEST_P(AccessApp, stored_coverage_and_minutes_equal_the_engines_direct_result) {
  auto imp = svc_->import_osm(kChengdu, area());
  ASSERT_TRUE(imp.ok()) << imp.error().detail;
  auto run = svc_->run({});
  ASSERT_TRUE(run.ok()) << run.error().detail;

  // The engine straight from the file, with the store's types in the store's order.
  auto ex = osm::read_osm(kChengdu, osm::TypeMapping::defaults());
  ASSERT_TRUE(ex.ok());
  auto g = access::WalkGraph::build(std::move(ex->network));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(imp->nodes, g->node_count());
  EXPECT_EQ(imp->edges, static_cast<int64_t>(g->edge_count()));
  std::vector<std::string> types;
  auto type_rows = db_->read_value<std::vector<ar::FacilityTypeRow>>(ar::list_types);
  ASSERT_TRUE(type_rows.ok());
  for (const auto& t : *type_rows) types.push_back(t.code);
  auto seeds = access::place_facilities(*g, ex->facilities, types, 300);
  auto dist = access::nearest_facility_distances(*g, seeds, 4.5 * 1000 / 60 * 15, 1);
  auto rep = access::compute_coverage(*g, ex->residences, dist, {});
  ASSERT_TRUE(rep.ok());

  auto stored = svc_->coverage(chengdu_);
  ASSERT_TRUE(stored.ok()) << stored.error().detail;
  std::map<std::string, ar::CoverageRow> all;
  for (const auto& c : *stored)
    if (c.level == "all") all[c.type] = c;
  ASSERT_EQ(all.size(), types.size());
  int covered_types = 0;
  for (const auto& c : rep->coverage) {
    if (c.level != "all") continue;
    const auto& s = all.at(c.type);
    EXPECT_EQ(s.residences, static_cast<int64_t>(c.residences)) << c.type;
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(s.residences_within[i], static_cast<int64_t>(c.residences_within[i])) << c.type;
      EXPECT_DOUBLE_EQ(s.households_within[i], c.households_within[i]) << c.type;
    }
    EXPECT_NEAR(s.median_m, c.median_distance_m, 1e-3) << c.type;
    covered_types += c.residences_within[2] > 0;
  }
  EXPECT_GE(covered_types, 2);  // the extract has schools and markets within 15 minutes

  // Per-home minutes: same homes in the same order, minutes = metres / (75 m/min), 0.1 precision.
  auto pts = svc_->points(chengdu_);
  ASSERT_TRUE(pts.ok());
  ASSERT_EQ(pts->rows.size(), ex->residences.size());
  ASSERT_EQ(pts->types, types);
  for (size_t r = 0; r < pts->rows.size(); ++r) {
    std::vector<std::string> cells;
    std::string m = pts->rows[r].minutes;
    size_t b = 0;
    for (size_t t = 0; t < types.size(); ++t) {
      size_t e = m.find(',', b);
      cells.push_back(m.substr(b, e == std::string::npos ? e : e - b));
      b = e + 1;
    }
    for (size_t t = 0; t < types.size(); ++t) {
      float d = rep->residence_dist_m[r * types.size() + t];
      if (d == access::kUnreached) {
        EXPECT_EQ(cells[t], "") << r << " " << types[t];
      } else {
        ASSERT_FALSE(cells[t].empty()) << r << " " << types[t];
        EXPECT_NEAR(std::stod(cells[t]), d / 75.0, 0.051) << r << " " << types[t];
      }
    }
  }
  EXPECT_EQ(count_audit("access.import_osm"), 1);
  EXPECT_EQ(count_audit("access.run"), 1);
}

TEST_P(AccessApp, the_stored_graph_rebuilds_to_the_same_graph) {
  auto ex = osm::read_osm(kFixtures + "walk_filter.osm", osm::TypeMapping::defaults());
  ASSERT_TRUE(ex.ok());
  auto g = access::WalkGraph::build(std::move(ex->network));
  ASSERT_TRUE(g.ok());
  auto back = app::unpack_graph(app::pack_graph(*g));
  ASSERT_TRUE(back.ok()) << back.error().detail;
  ASSERT_EQ(back->node_count(), g->node_count());
  ASSERT_EQ(back->edge_count(), g->edge_count());
  // Compared by OSM id: build() may lay nodes out in its own order.
  auto neighbours = [](const access::WalkGraph& x, uint32_t v) {
    std::vector<std::pair<int64_t, float>> out;
    for (const auto& a : x.arcs(v)) out.emplace_back(x.osm_id(a.to), a.length_m);
    std::sort(out.begin(), out.end());
    return out;
  };
  for (uint32_t v = 0; v < g->node_count(); ++v) {
    const int64_t w = back->find(g->osm_id(v));
    ASSERT_GE(w, 0) << g->osm_id(v);
    EXPECT_EQ(back->coord(static_cast<uint32_t>(w)).lat, g->coord(v).lat);
    EXPECT_EQ(neighbours(*back, static_cast<uint32_t>(w)), neighbours(*g, v)) << g->osm_id(v);
  }
  EXPECT_FALSE(app::unpack_graph("not base64!").ok());
}

TEST_P(AccessApp, a_bad_osm_file_is_rejected_and_leaves_the_store_unchanged) {
  ASSERT_TRUE(svc_->import_osm(kFixtures + "walk_filter.osm", area()).ok());
  const Counts before = counts();
  ASSERT_GT(before.residences, 0);
  // Truncated in the middle of an element.
  std::string text;
  {
    std::ifstream in(kFixtures + "walk_filter.osm");
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto truncated = std::filesystem::temp_directory_path() /
                   ("gj_truncated_" + std::to_string(::getpid()) + ".osm");
  std::ofstream(truncated) << text.substr(0, text.size() / 2);
  for (const std::string& bad : {truncated.string(), kFixtures + "no_walkable.osm",
                                 kFixtures + "missing_node.osm", kFixtures + "absent.osm"}) {
    auto r = svc_->import_osm(bad, area());
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_FALSE(r.error().detail.empty()) << bad;
    const Counts after = counts();
    EXPECT_EQ(after.networks, before.networks) << bad;
    EXPECT_EQ(after.facilities, before.facilities) << bad;
    EXPECT_EQ(after.residences, before.residences) << bad;
    EXPECT_EQ(after.audit, before.audit) << bad;
  }
  // An area that is not a division in the store: refused inside the transaction.
  app::OsmImportOptions nowhere;
  nowhere.division_code = "990000000000";
  EXPECT_FALSE(svc_->import_osm(kFixtures + "walk_filter.osm", nowhere).ok());
  EXPECT_EQ(counts().networks, before.networks);
  std::filesystem::remove(truncated);
}

TEST_P(AccessApp, a_rerun_replaces_the_previous_results) {
  ASSERT_TRUE(svc_->import_osm(kFixtures + "walk_filter.osm", area()).ok());
  auto first = svc_->run({});
  ASSERT_TRUE(first.ok()) << first.error().detail;
  app::RunOptions ten;
  ten.cutoff_min = 10;
  auto second = svc_->run(ten);
  ASSERT_TRUE(second.ok());
  EXPECT_GT(second->run_id, first->run_id);
  (void)db_->read([&](store::Session& s) -> Status {
    EXPECT_EQ(s.query_one("SELECT COUNT(DISTINCT run_id) FROM access_coverage")->i64(0), 1);
    EXPECT_EQ(s.query_one("SELECT MIN(run_id) FROM access_residence_minutes")->i64(0),
              second->run_id);
    EXPECT_EQ(s.query_one("SELECT COUNT(*) FROM access_runs WHERE status = 'done'")->i64(0), 2);
    return {};
  });
  auto ov = svc_->overview(chengdu_);
  ASSERT_TRUE(ov.ok() && ov->run);
  EXPECT_EQ(ov->run->id, second->run_id);
  EXPECT_NE(ov->run->params.find("\"cutoff_min\":10"), std::string::npos);
}

TEST_P(AccessApp, facility_writes_are_scoped_validated_and_audited) {
  ASSERT_TRUE(svc_->import_osm(kFixtures + "walk_filter.osm", area()).ok());
  app::FacilityInput in;
  in.type = "party_service";  // a type OSM does not have
  in.name = "测试党群服务中心";
  in.lat = 30.6600;
  in.lon = 104.0600;
  in.opening_hours = "Mo-Fr 09:00-17:00";
  // Outside the caller's scope the area does not exist.
  auto denied = svc_->create_facility(shaanxi_, [&] {
    auto x = in;
    x.division_code = kArea;
    return x;
  }());
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(svc_->coverage(shaanxi_).ok());
  auto made = svc_->create_facility(chengdu_, in);
  ASSERT_TRUE(made.ok()) << made.error().detail;
  EXPECT_EQ(made->division_code, kArea);
  EXPECT_EQ(made->source, "manual");
  auto bad_type = in;
  bad_type.type = "casino";
  EXPECT_EQ(svc_->create_facility(chengdu_, bad_type).error().field, "type");
  // Others cannot edit or delete it; the owner's scope can.
  EXPECT_EQ(svc_->delete_facility(shaanxi_, made->id).error().code, ErrorCode::kNotFound);
  auto edited = in;
  edited.opening_hours = "Mo-Su 08:00-20:00";
  auto up = svc_->update_facility(chengdu_, made->id, edited);
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->opening_hours, "Mo-Su 08:00-20:00");
  EXPECT_EQ(count_audit("access.facility.create"), 1);
  EXPECT_EQ(count_audit("access.facility.update"), 1);

  // CSV: all rows or none.
  const Counts before = counts();
  auto bad = svc_->import_facilities_csv(
      chengdu_,
      "name,type,lat,lon,opening_hours\n\"老年食堂, 一号\",elderly_canteen,30.66,104.061,\n"
      "坏行,elderly_canteen,north,104.06,\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().detail.find("row 3"), std::string::npos) << bad.error().detail;
  EXPECT_EQ(counts().facilities, before.facilities);
  auto good = svc_->import_facilities_csv(
      chengdu_,
      "name,type,lat,lon,opening_hours\n\"老年食堂, 一号\",elderly_canteen,30.66,104.061,"
      "\"Mo-Fr 11:00-13:00\"\n卫生站,health_station,30.6601,104.0625,\n");
  ASSERT_TRUE(good.ok()) << good.error().detail;
  EXPECT_EQ(good->inserted, 2);
  auto listed = svc_->facilities(chengdu_, {}, "elderly_canteen", 100);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "老年食堂, 一号");
  EXPECT_EQ((*listed)[0].source, "csv");
  EXPECT_TRUE(svc_->facilities(shaanxi_, {}, "", 100)->empty());

  // The registered facility reaches homes once the engine runs.
  ASSERT_TRUE(svc_->run({}).ok());
  auto cov = svc_->coverage(chengdu_);
  ASSERT_TRUE(cov.ok());
  bool found = false;
  for (const auto& c : *cov)
    if (c.level == "all" && c.type == "party_service") {
      found = true;
      EXPECT_GT(c.residences_within[2], 0);
    }
  EXPECT_TRUE(found);

  // Site suggestion for a type with gaps: every site adds households.
  app::SiteRequest sr;
  sr.type = "elderly";
  sr.k = 2;
  auto sites = svc_->suggest_sites(chengdu_, sr);
  ASSERT_TRUE(sites.ok()) << sites.error().detail;
  ASSERT_FALSE(sites->sites.empty());
  for (const auto& s : sites->sites) EXPECT_GT(s.households_added, 0);
  EXPECT_FALSE(svc_->suggest_sites(shaanxi_, sr).ok());
  // A facility registered at the first suggested site counts at once (no stale cache).
  app::FacilityInput home;
  home.type = "elderly";
  home.name = "养老服务站";
  home.lat = sites->sites[0].point.lat;
  home.lon = sites->sites[0].point.lon;
  ASSERT_TRUE(svc_->create_facility(chengdu_, home).ok());
  auto again = svc_->suggest_sites(chengdu_, sr);
  ASSERT_TRUE(again.ok());
  EXPECT_GT(again->households_covered_before, sites->households_covered_before);
}

TEST_P(AccessApp, homes_inside_a_grid_boundary_count_for_the_grid_its_community_and_street) {
  // A test grid (synthetic) under 锦江区 whose square covers the fixture's one apartment block.
  ASSERT_TRUE(db_->write([](store::Session& s) -> Status {
                   using org::Kind;
                   using org::Level;
                   for (const auto& d : {org::Division{"510104000000", kArea, "锦江区",
                                                       Level::kCounty, Kind::kCounty},
                                         org::Division{"510104001000", "510104000000", "测试街道",
                                                       Level::kTownship, Kind::kStreet, true},
                                         org::Division{"510104001001", "510104001000", "测试社区",
                                                       Level::kVillage, Kind::kCommunity, true},
                                         org::Division{"510104001001001", "510104001001", "第1网格",
                                                       Level::kGrid, Kind::kGrid, true}})
                     if (auto r = store::divisions::upsert(s, d); !r.ok()) return r.error();
                   store::GridRow g;
                   g.code = "510104001001001";
                   g.polygon =
                       R"({"type":"Polygon","coordinates":[[[104.061,30.660],[104.062,30.660],)"
                       R"([104.062,30.661],[104.061,30.661],[104.061,30.660]]]})";
                   return store::grids::upsert(s, g);
                 })
                  .ok());
  auto imp = svc_->import_osm(kFixtures + "walk_filter.osm", area());
  ASSERT_TRUE(imp.ok()) << imp.error().detail;
  EXPECT_EQ(imp->residences_in_grids, 1);
  ASSERT_TRUE(svc_->run({}).ok());
  auto cov = svc_->coverage(chengdu_);
  ASSERT_TRUE(cov.ok());
  std::map<std::string, std::string> unit_of_level;
  for (const auto& c : *cov)
    if (c.type == "school") unit_of_level[c.level] = c.unit;
  EXPECT_EQ(unit_of_level["grid"], "510104001001001");
  EXPECT_EQ(unit_of_level["community"], "510104001001");
  EXPECT_EQ(unit_of_level["street"], "510104001000");
  EXPECT_EQ(unit_of_level.count("cell"), 0u);
}

TEST_P(AccessApp, osm_opening_hours_are_stored_with_the_facility) {
  std::ifstream in(kFixtures + "walk_filter.osm");
  std::string xml((std::istreambuf_iterator<char>(in)), {});
  const std::string clinic = R"(<tag k="name" v="社区卫生服务站"/>)";
  ASSERT_NE(xml.find(clinic), std::string::npos);
  xml.replace(xml.find(clinic), clinic.size(),
              clinic + R"(<tag k="opening_hours" v="Mo-Fr 08:00-17:30; Sa 08:00-12:00"/>)");
  const auto path =
      std::filesystem::temp_directory_path() /
      ("gj_hours_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       gj::testing::backend_name(GetParam()) + ".osm");
  std::ofstream(path) << xml;
  auto imp = svc_->import_osm(path.string(), area());
  std::filesystem::remove(path);
  ASSERT_TRUE(imp.ok()) << imp.error().detail;
  auto f = svc_->facilities(chengdu_, {}, "medical", 100);
  ASSERT_TRUE(f.ok());
  std::string hours;
  for (const auto& x : *f)
    if (x.name == "社区卫生服务站") hours = x.opening_hours;
  EXPECT_EQ(hours, "Mo-Fr 08:00-17:30; Sa 08:00-12:00");
  // Editable like any registered value.
  ASSERT_FALSE(f->empty());
  app::FacilityInput in2{f->front().type, f->front().name, "24/7", "",
                         f->front().lat,  f->front().lon};
  auto up = svc_->update_facility(chengdu_, f->front().id, in2);
  ASSERT_TRUE(up.ok()) << up.error().detail;
  EXPECT_EQ(up->opening_hours, "24/7");
}

TEST_P(AccessApp, each_type_is_stored_with_coverage_within_its_own_minutes) {
  ASSERT_TRUE(db_->write([](store::Session& s) -> Status {
                   auto r =
                       s.exec("UPDATE access_facility_types SET minutes = 5 WHERE code = 'school'");
                   if (!r.ok()) return r.error();
                   return {};
                 })
                  .ok());
  ASSERT_TRUE(svc_->import_osm(kChengdu, area()).ok());
  auto run = svc_->run({});
  ASSERT_TRUE(run.ok()) << run.error().detail;
  auto cov = svc_->coverage(chengdu_);
  ASSERT_TRUE(cov.ok());
  std::map<std::string, ar::CoverageRow> all;
  for (const auto& c : *cov)
    if (c.level == "all") all[c.type] = c;
  const auto& school = all.at("school");
  const auto& market = all.at("market");
  const auto& canteen = all.at("elderly_canteen");  // 10 minutes in the seeded table
  EXPECT_EQ(school.cutoff_min, 5);
  EXPECT_EQ(school.residences_within_cutoff, school.residences_within[0]);
  EXPECT_DOUBLE_EQ(school.households_within_cutoff, school.households_within[0]);
  EXPECT_LT(school.residences_within_cutoff, school.residences_within[2]);  // 5 < 15 minutes
  EXPECT_EQ(market.cutoff_min, 15);
  EXPECT_EQ(market.residences_within_cutoff, market.residences_within[2]);
  EXPECT_EQ(canteen.cutoff_min, 10);
  // Gaps of schools: every home beyond 5 minutes.
  auto gaps = svc_->gaps(chengdu_, "school", 100000);
  ASSERT_TRUE(gaps.ok());
  double gap_hh = 0;
  for (const auto& g : *gaps) gap_hh += g.households;
  EXPECT_NEAR(gap_hh, school.households - school.households_within_cutoff, 1e-6);
}

TEST_P(AccessApp, registered_households_replace_the_buildings_as_homes_and_count_per_grid) {
  add_test_grid();
  ASSERT_TRUE(svc_->import_osm(kFixtures + "walk_filter.osm", area()).ok());
  // Three households: two at one address (one building), one at another; no names.
  const std::string good =
      "grid_code,address,lat,lon,members\n"
      "510104001001001,\"测试路1号, 1单元101\",30.6605,104.0615,3\n"
      "510104001001001,\"测试路1号, 1单元102\",30.6605,104.0615,2\n"
      "510104001001001,测试路3号,30.6602,104.0612,1\n";
  auto before = count("SELECT COUNT(*) FROM access_households");
  // A row naming an unregistered grid: nothing is stored, the row is named.
  auto bad = svc_->import_households_csv(
      chengdu_, good + "510104001001999,测试路5号,30.6603,104.0613,2\n", false);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().detail.find("row 5"), std::string::npos) << bad.error().detail;
  EXPECT_EQ(bad.error().field, "grid_code");
  auto bad_members = svc_->import_households_csv(
      chengdu_, "grid_code,address,lat,lon,members\n510104001001001,测试路5号,30.66,104.06,0\n",
      false);
  ASSERT_FALSE(bad_members.ok());
  EXPECT_EQ(bad_members.error().field, "members");
  auto bad_columns = svc_->import_households_csv(chengdu_, "grid,address\nx,y\n", false);
  ASSERT_FALSE(bad_columns.ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM access_households"), before);
  // A principal of another province cannot register households in this grid.
  EXPECT_FALSE(svc_->import_households_csv(shaanxi_, good, false).ok());
  auto ok = svc_->import_households_csv(chengdu_, good, false);
  ASSERT_TRUE(ok.ok()) << ok.error().detail;
  EXPECT_EQ(ok->inserted, 3);
  EXPECT_EQ(count_audit("access.household.import_csv"), 1);

  auto run = svc_->run({});
  ASSERT_TRUE(run.ok()) << run.error().detail;
  EXPECT_EQ(run->homes, "household");
  EXPECT_EQ(run->households, 3);
  EXPECT_EQ(run->residences, 2);  // two locations
  auto ov = svc_->overview(chengdu_);
  ASSERT_TRUE(ov.ok() && ov->run);
  EXPECT_EQ(ov->run->homes, "household");
  auto cov = svc_->coverage(chengdu_);
  ASSERT_TRUE(cov.ok());
  bool saw_grid = false;
  for (const auto& c : *cov) {
    if (c.type != "school") continue;
    if (c.level == "all") {
      EXPECT_EQ(c.residences, 2);
      EXPECT_DOUBLE_EQ(c.households, 3);
      // The school (node 30) is a few hundred metres away: every household within 15 min.
      EXPECT_DOUBLE_EQ(c.households_within[2], 3);
    }
    if (c.level == "grid") {
      saw_grid = true;
      EXPECT_EQ(c.unit, "510104001001001");
      EXPECT_DOUBLE_EQ(c.households, 3);
    }
    EXPECT_NE(c.level, "cell");  // registered households always have their grid
  }
  EXPECT_TRUE(saw_grid);
  auto pts = svc_->points(chengdu_);
  ASSERT_TRUE(pts.ok());
  ASSERT_EQ(pts->rows.size(), 2u);
  double hh = 0;
  for (const auto& p : pts->rows) hh += p.households;
  EXPECT_DOUBLE_EQ(hh, 3);
  // A failing run keeps the previous run's homes and per-home minutes.
  std::string graph;
  ASSERT_TRUE(db_->write([&](store::Session& s) -> Status {
                   graph = s.query_one("SELECT graph FROM access_networks")->str(0);
                   auto r = s.exec("UPDATE access_networks SET graph = 'broken'");
                   if (!r.ok()) return r.error();
                   return {};
                 })
                  .ok());
  {
    app::AccessService fresh(*app_);  // no cached graph
    EXPECT_FALSE(fresh.run({}).ok());
  }
  ASSERT_TRUE(db_->write([&](store::Session& s) -> Status {
                   auto r = s.exec("UPDATE access_networks SET graph = $1", {graph});
                   if (!r.ok()) return r.error();
                   return {};
                 })
                  .ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM access_residences WHERE source = 'household-pending'"), 0);
  auto kept = svc_->points(chengdu_);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->rows.size(), 2u);

  // Sites over the households' homes work too.
  app::SiteRequest sr;
  sr.type = "medical";
  sr.k = 1;
  EXPECT_TRUE(svc_->suggest_sites(chengdu_, sr).ok());

  // Replace: the registry of the scope is swapped in one go; without households the next run
  // falls back to the OSM buildings.
  auto rep = svc_->import_households_csv(
      chengdu_, "grid_code,address,lat,lon,members\n510104001001001,测试路9号,30.6601,104.0611,4\n",
      true);
  ASSERT_TRUE(rep.ok()) << rep.error().detail;
  EXPECT_EQ(rep->replaced, 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM access_households"), 1);
  auto list = svc_->households(chengdu_, 10);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->total, 1);
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].address, "测试路9号");
  EXPECT_EQ(list->items[0].members, 4);
  ASSERT_TRUE(
      db_->write([](store::Session& s) -> Status { return ar::delete_households(s, ""); }).ok());
  auto back = svc_->run({});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->homes, "osm");
  EXPECT_EQ(count("SELECT COUNT(*) FROM access_residences WHERE source = 'household'"), 0);
}

TEST_P(AccessApp, a_types_minutes_are_edited_validated_audited_and_used_by_the_next_run) {
  add_test_grid();
  auto township = principal("jj.township", "township", "510104001000");
  ASSERT_TRUE(svc_->import_osm(kFixtures + "walk_filter.osm", area()).ok());
  auto school = svc_->facility_type(chengdu_, "school");
  ASSERT_TRUE(school.ok());
  EXPECT_EQ(school->minutes, 15);
  const int64_t audit_before = count_audit("access.type.update");
  // Bad input and the wrong roles change nothing.
  auto with_minutes = [](double m) {
    app::TypeInput in;
    in.minutes = m;
    return in;
  };
  for (double m : {0.0, 0.5, 61.0, -3.0, std::nan("")}) {
    auto r = svc_->update_facility_type(chengdu_, "school", with_minutes(m));
    ASSERT_FALSE(r.ok()) << m;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(r.error().field, "minutes");
  }
  app::TypeInput blank = with_minutes(5);
  blank.name_zh = "  ";
  EXPECT_EQ(svc_->update_facility_type(chengdu_, "school", blank).error().field, "name_zh");
  EXPECT_EQ(svc_->update_facility_type(chengdu_, "nope", with_minutes(5)).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(svc_->update_facility_type(township, "school", with_minutes(5)).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(svc_->facility_type(chengdu_, "school")->minutes, 15);
  EXPECT_EQ(count_audit("access.type.update"), audit_before);

  // A good edit: stored, audited, and the next run's cut-off for the type.
  app::TypeInput in = with_minutes(5);
  in.name_zh = "中小学和幼儿园";
  auto ok = svc_->update_facility_type(chengdu_, "school", in);
  ASSERT_TRUE(ok.ok()) << ok.error().detail;
  EXPECT_EQ(ok->minutes, 5);
  auto stored = svc_->facility_type(chengdu_, "school");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->minutes, 5);
  EXPECT_EQ(stored->name_zh, "中小学和幼儿园");
  EXPECT_EQ(stored->name_en, "School");  // absent = unchanged
  EXPECT_EQ(count_audit("access.type.update"), audit_before + 1);
  auto run = svc_->run({});
  ASSERT_TRUE(run.ok()) << run.error().detail;
  auto cov = svc_->coverage(chengdu_);
  ASSERT_TRUE(cov.ok());
  bool saw = false;
  for (const auto& c : *cov)
    if (c.level == "all" && c.type == "school") {
      saw = true;
      EXPECT_EQ(c.cutoff_min, 5);
      EXPECT_EQ(c.residences_within_cutoff, c.residences_within[0]);
    }
  EXPECT_TRUE(saw);
}

TEST_P(AccessApp, registered_households_are_listed_by_page_and_by_grid_or_community) {
  add_test_grid();
  std::string text = "grid_code,address,lat,lon,members\n";
  for (int i = 1; i <= 5; ++i)
    text += "510104001001001,测试路" + std::to_string(i) + "号,30.6605,104.0615," +
            std::to_string(i) + "\n";
  ASSERT_TRUE(svc_->import_households_csv(chengdu_, text, false).ok());
  auto first = svc_->households(chengdu_, 2, 0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->total, 5);
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[0].address, "测试路1号");
  auto last = svc_->households(chengdu_, 2, 4);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->items.size(), 1u);
  EXPECT_EQ(last->items[0].address, "测试路5号");
  auto community = svc_->households(chengdu_, 10, 0, "510104001001");
  ASSERT_TRUE(community.ok());
  EXPECT_EQ(community->total, 5);
  auto grid = svc_->households(chengdu_, 10, 0, "510104001001001");
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ(grid->total, 5);
  auto other = svc_->households(chengdu_, 10, 0, "510104001002");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->total, 0);
  EXPECT_TRUE(other->items.empty());
  auto outside = svc_->households(chengdu_, 10, 0, "610000000000");
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code, ErrorCode::kNotFound);
}

TEST_P(AccessApp, a_run_job_reports_progress_refuses_a_second_run_and_survives_a_failure) {
  add_test_grid();
  ASSERT_TRUE(svc_->import_osm(kChengdu, area()).ok());
  auto township = principal("cd.township", "township", "510104001000");
  EXPECT_EQ(svc_->start_run_job(township, {}).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(svc_->start_run_job(shaanxi_, {}).error().code, ErrorCode::kNotFound);

  // Another run of the area in progress (e.g. from the CLI): both ways are refused.
  auto other = db_->write_value<int64_t>(
      [&](store::Session& s) { return ar::insert_job(s, "run", kArea, "cli", clock_.now_ms()); });
  ASSERT_TRUE(other.ok()) << other.error().detail;
  auto second = svc_->start_run_job(chengdu_, {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  EXPECT_NE(second.error().detail.find(std::to_string(*other)), std::string::npos);
  EXPECT_EQ(svc_->run_as_job({}, "cli").error().code, ErrorCode::kConflict);
  // A server start marks what an earlier process left running as failed.
  ASSERT_TRUE(svc_->fail_interrupted_jobs().ok());
  auto stale = svc_->job(chengdu_, *other);
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->status, "failed");
  EXPECT_NE(stale->message.find("interrupted"), std::string::npos);

  auto job = svc_->start_run_job(chengdu_, {});
  ASSERT_TRUE(job.ok()) << job.error().detail;
  EXPECT_EQ(job->status, "queued");
  EXPECT_EQ(job->created_by, "cd.command");
  svc_->wait_for_jobs();
  auto done = svc_->job(chengdu_, job->id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, "done") << done->message;
  EXPECT_EQ(done->stage, "done");
  EXPECT_GT(done->total, 3);  // load, one search per type, coverage, store
  EXPECT_EQ(done->done, done->total);
  ASSERT_TRUE(done->run_id.has_value());
  auto ov = svc_->overview(chengdu_);
  ASSERT_TRUE(ov.ok() && ov->run);
  EXPECT_EQ(ov->run->id, *done->run_id);
  EXPECT_EQ(svc_->job(shaanxi_, job->id).error().code, ErrorCode::kNotFound);
  auto latest = svc_->latest_job(chengdu_);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->id, job->id);
  EXPECT_EQ(count_audit("access.job.start"), 1);

  // The CLI's run is a job too, and prints progress through its callback.
  std::vector<std::string> stages;
  auto cli = svc_->run_as_job({}, "cli", [&](const std::string& st, int64_t d, int64_t t) {
    stages.push_back(st + " " + std::to_string(d) + "/" + std::to_string(t));
  });
  ASSERT_TRUE(cli.ok()) << cli.error().detail;
  ASSERT_FALSE(stages.empty());
  EXPECT_EQ(stages.front().rfind("loading 0/", 0), 0u) << stages.front();
  EXPECT_EQ(stages.back().rfind("done ", 0), 0u) << stages.back();

  // A failing run: the job says why, the previous results stay, the next run may start.
  const int64_t good_run = cli->run_id;
  ASSERT_TRUE(db_->write([](store::Session& s) -> Status {
                   auto r = s.exec("UPDATE access_networks SET graph = 'broken'");
                   if (!r.ok()) return r.error();
                   return {};
                 })
                  .ok());
  app::AccessService fresh(*app_);  // no cached graph
  auto failing = fresh.start_run_job(chengdu_, {});
  ASSERT_TRUE(failing.ok()) << failing.error().detail;
  fresh.wait_for_jobs();
  auto failed = fresh.job(chengdu_, failing->id);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, "failed");
  EXPECT_NE(failed->message.find("damaged"), std::string::npos) << failed->message;
  EXPECT_FALSE(failed->run_id.has_value());
  auto ov2 = fresh.overview(chengdu_);
  ASSERT_TRUE(ov2.ok() && ov2->run);
  EXPECT_EQ(ov2->run->id, good_run);
  auto again = fresh.start_run_job(chengdu_, {});
  ASSERT_TRUE(again.ok()) << again.error().detail;
  fresh.wait_for_jobs();
}

INSTANTIATE_TEST_SUITE_P(Backends, AccessApp,
                         ::testing::Values(gj::testing::Backend::kSqlite,
                                           gj::testing::Backend::kPostgres),
                         [](const auto& info) { return gj::testing::backend_name(info.param); });

}  // namespace
