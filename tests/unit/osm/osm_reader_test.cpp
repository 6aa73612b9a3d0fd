// OSM import: the walking-network filter, facilities and homes from tags, XML and PBF, bad
// files, and `gongjian access nodes` end to end on hand-written fixtures.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <osmium/io/any_input.hpp>
#include <osmium/io/any_output.hpp>
#include <random>
#include <set>
#include <sstream>

#include "common/csv.hpp"
#include "import/osm/osm_reader.hpp"

namespace gj::osm {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) {
  return std::string(GJ_SOURCE_DIR) + "/tests/fixtures/osm/" + name;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("gj-osm-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

std::set<int64_t> network_ids(const OsmExtract& ex) {
  return {ex.network.node_ids.begin(), ex.network.node_ids.end()};
}

TEST(OsmReader, the_walking_network_keeps_the_ways_osmnx_walk_keeps) {
  auto ex = read_osm(fixture("walk_filter.osm"), TypeMapping::defaults());
  ASSERT_TRUE(ex.ok()) << ex.error().detail;
  // footway 1-2-3, residential 3-4, steps 3-18, a one-node footway 19, living_street 20-21.
  // Out: motorway, motorway_link, cycleway, construction, foot=no, service=private,
  // access=private, area=yes, platform, proposed, and the stream.
  EXPECT_EQ(network_ids(*ex), (std::set<int64_t>{1, 2, 3, 4, 18, 19, 20, 21}));
  EXPECT_EQ(ex->walkable_ways, 5u);
  EXPECT_EQ(ex->one_node_ways, 1u);
  EXPECT_EQ(ex->network.way_count(), 5u);
}

TEST(OsmReader, facilities_come_from_the_type_mapping_and_homes_from_residential_buildings) {
  auto ex = read_osm(fixture("walk_filter.osm"), TypeMapping::defaults());
  ASSERT_TRUE(ex.ok());
  std::multiset<std::string> types;
  for (const auto& f : ex->facilities) types.insert(f.type);
  // clinic node 2, hospital building way 200, far clinic 31, school 30, supermarket 33.
  EXPECT_EQ(types.count("medical"), 3u);
  EXPECT_EQ(types.count("school"), 1u);
  EXPECT_EQ(types.count("market"), 1u);
  for (const auto& f : ex->facilities) {
    if (f.source_id == 2) {
      EXPECT_EQ(f.network_node, 2);  // an OSM node: may seed the graph directly
      EXPECT_EQ(f.name, "社区卫生服务站");
    }
    if (f.source_id == 200) {
      EXPECT_EQ(f.network_node, -1);  // a way: its centroid is snapped
      EXPECT_NEAR(f.point.lat, 30.6595, 1e-9);
      EXPECT_NEAR(f.point.lon, 104.0605, 1e-9);
    }
  }
  ASSERT_EQ(ex->residences.size(), 1u);
  EXPECT_EQ(ex->residences[0].households, 12);
  EXPECT_EQ(ex->residences[0].street, "人民南路");
}

TEST(OsmReader, a_type_mapping_file_replaces_the_defaults_and_bad_lines_are_named) {
  auto m = TypeMapping::parse("# ours\nhealth amenity=clinic|doctors\nshops shop=*\n");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->types(), (std::vector<std::string>{"health", "shops"}));
  auto ex = read_osm(fixture("walk_filter.osm"), *m);
  ASSERT_TRUE(ex.ok());
  size_t health = 0, shops = 0;
  for (const auto& f : ex->facilities) (f.type == "health" ? health : shops)++;
  EXPECT_EQ(health, 2u);  // both clinics; the hospital is not in this mapping
  EXPECT_EQ(shops, 1u);
  auto bad = TypeMapping::parse("health\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().detail.find("line 1"), std::string::npos);
  EXPECT_FALSE(TypeMapping::parse("health amenity\n").ok());
  EXPECT_FALSE(TypeMapping::parse("# nothing\n").ok());
}

TEST(OsmReader, pbf_reads_the_same_as_xml) {
  TempDir tmp;
  const std::string pbf = tmp / "walk_filter.osm.pbf";
  {
    osmium::io::Reader in(fixture("walk_filter.osm"));
    osmium::io::Writer out(pbf);
    while (auto buffer = in.read()) out(std::move(buffer));
    out.close();
    in.close();
  }
  auto x = read_osm(fixture("walk_filter.osm"), TypeMapping::defaults());
  auto p = read_osm(pbf, TypeMapping::defaults());
  ASSERT_TRUE(x.ok());
  ASSERT_TRUE(p.ok()) << p.error().detail;
  EXPECT_EQ(p->network.node_ids, x->network.node_ids);
  EXPECT_EQ(p->network.way_refs, x->network.way_refs);
  ASSERT_EQ(p->network.node_coords.size(), x->network.node_coords.size());
  for (size_t i = 0; i < p->network.node_coords.size(); ++i)
    EXPECT_DOUBLE_EQ(p->network.node_coords[i].lat, x->network.node_coords[i].lat);
  EXPECT_EQ(p->facilities.size(), x->facilities.size());
}

TEST(OsmReader, a_real_pbf_extract_is_read) {
  const std::string porto =
      std::string(GJ_SHARED_DIR) + "/data/osm/porto_valhalla_bench_2020.osm.pbf";
  if (!fs::exists(porto)) GTEST_SKIP() << "no " << porto;
  auto ex = read_osm(porto, TypeMapping::defaults());
  ASSERT_TRUE(ex.ok()) << ex.error().detail;
  EXPECT_GT(ex->network.node_ids.size(), 10000u);
  EXPECT_GT(ex->facilities.size(), 10u);
}

TEST(OsmReader, a_truncated_file_is_rejected_with_a_clear_message) {
  TempDir tmp;
  std::ifstream in(fixture("walk_filter.osm"));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string xml = ss.str();
  std::ofstream(tmp / "cut.osm") << xml.substr(0, xml.size() * 2 / 3);
  auto ex = read_osm(tmp / "cut.osm", TypeMapping::defaults());
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(ex.error().detail.find("truncated"), std::string::npos) << ex.error().detail;
  // A PBF cut short too.
  const std::string pbf = tmp / "full.osm.pbf";
  {
    osmium::io::Reader r(fixture("walk_filter.osm"));
    osmium::io::Writer w(pbf);
    while (auto b = r.read()) w(std::move(b));
    w.close();
  }
  fs::resize_file(pbf, fs::file_size(pbf) - 40);
  auto p = read_osm(pbf, TypeMapping::defaults());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidInput);
}

TEST(OsmReader, a_way_referring_to_a_missing_node_is_rejected_naming_both) {
  auto ex = read_osm(fixture("missing_node.osm"), TypeMapping::defaults());
  ASSERT_FALSE(ex.ok());
  EXPECT_NE(ex.error().detail.find("way 101"), std::string::npos) << ex.error().detail;
  EXPECT_NE(ex.error().detail.find("node 4"), std::string::npos) << ex.error().detail;
}

TEST(OsmReader, a_file_without_walkable_ways_is_rejected) {
  auto ex = read_osm(fixture("no_walkable.osm"), TypeMapping::defaults());
  ASSERT_FALSE(ex.ok());
  EXPECT_NE(ex.error().detail.find("no walkable ways"), std::string::npos);
  auto missing = read_osm(fixture("does_not_exist.osm"), TypeMapping::defaults());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
}

// ---- `gongjian access nodes` end to end -------------------------------------------------

struct Run {
  int status = -1;
  std::string err;
};
Run run_cli(const std::string& args, const TempDir& tmp) {
  const std::string err = tmp / "stderr.txt";
  std::string cmd = std::string(GJ_BINARY) + " " + args + " 2>" + err + " >/dev/null";
  int rc = std::system(cmd.c_str());
  Run r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  std::ifstream in(err);
  std::stringstream ss;
  ss << in.rdbuf();
  r.err = ss.str();
  return r;
}

TEST(AccessNodesCommand, writes_every_node_within_the_cutoff_with_its_distance_per_type) {
  TempDir tmp;
  auto r = run_cli("access nodes --osm " + fixture("walk_filter.osm") + " --cutoff-m 200 --out " +
                       (tmp / "out.csv"),
                   tmp);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("100%"), std::string::npos);  // progress on stderr
  auto t = csv::read_file(tmp / "out.csv");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->header, (csv::Record{"osm_node_id", "facility_type", "distance_m"}));
  std::map<std::pair<std::string, std::string>, double> got;
  for (const auto& row : t->rows) got[{row[0], row[1]}] = std::stod(row[2]);
  const double l12 = access::great_circle_m(30.66, 104.061, 30.66, 104.062);  // 2-3, 1-2, 3-4
  const double l318 = access::great_circle_m(30.66, 104.062, 30.659, 104.062);
  // medical: the clinic on node 2 (0 m) and the hospital snapped mid-way onto edge 1-2.
  EXPECT_NEAR(got.at({"2", "medical"}), 0.0, 1e-3);
  EXPECT_NEAR(got.at({"1", "medical"}), l12 / 2, 0.05);
  EXPECT_NEAR(got.at({"3", "medical"}), l12, 1e-3);
  EXPECT_NEAR(got.at({"4", "medical"}), 2 * l12, 1e-3);
  EXPECT_EQ(got.count({"18", "medical"}), 0u);  // l12 + l318 > 200 m
  EXPECT_GT(l12 + l318, 200);
  // school: beside the middle of edge 3-4, so both ends at half its length.
  EXPECT_NEAR(got.at({"3", "school"}), l12 / 2, 0.05);
  EXPECT_NEAR(got.at({"18", "school"}), l12 / 2 + l318, 0.05);
  // market: the supermarket snaps onto node 1.
  EXPECT_NEAR(got.at({"1", "market"}), 0.0, 1e-3);
  // Nothing for the isolated and disconnected nodes, no other types.
  for (const auto& [k, d] : got) {
    EXPECT_TRUE(k.first != "19" && k.first != "20" && k.first != "21") << k.first;
    EXPECT_LE(d, 200.0);
  }
}

TEST(AccessNodesCommand, a_custom_type_mapping_and_the_graph_dump_are_honoured) {
  TempDir tmp;
  std::ofstream(tmp / "types.txt") << "# health only\nhealth amenity=clinic|hospital\n";
  auto r = run_cli("access nodes --osm " + fixture("walk_filter.osm") +
                       " --cutoff-m 1000 --types " + (tmp / "types.txt") + " --dump-graph " +
                       (tmp / "graph") + " --out " + (tmp / "out.csv"),
                   tmp);
  ASSERT_EQ(r.status, 0) << r.err;
  auto out = csv::read_file(tmp / "out.csv");
  ASSERT_TRUE(out.ok());
  ASSERT_FALSE(out->rows.empty());
  for (const auto& row : out->rows) EXPECT_EQ(row[1], "health");
  auto nodes = csv::read_file(tmp / "graph/nodes.csv");
  auto edges = csv::read_file(tmp / "graph/edges.csv");
  auto seeds = csv::read_file(tmp / "graph/seeds.csv");
  ASSERT_TRUE(nodes.ok() && edges.ok() && seeds.ok());
  EXPECT_EQ(nodes->rows.size(), 8u);  // isolated and disconnected nodes included
  EXPECT_EQ(edges->rows.size(), 5u);  // 1-2, 2-3, 3-4, 3-18, 20-21
  // The clinic on node 2 at 0 m, the hospital beside edge 1-2 seeding both ends.
  EXPECT_EQ(seeds->rows.size(), 3u);
  // A bad mapping file is a usage-independent failure with the line named.
  std::ofstream(tmp / "bad.txt") << "health\n";
  auto bad =
      run_cli("access nodes --osm " + fixture("walk_filter.osm") + " --cutoff-m 1000 --types " +
                  (tmp / "bad.txt") + " --out " + (tmp / "o2.csv"),
              tmp);
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("line 1"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(tmp / "o2.csv"));
}

TEST(AccessNodesCommand, bad_osm_exits_non_zero_with_a_message_and_writes_nothing) {
  TempDir tmp;
  std::ifstream in(fixture("walk_filter.osm"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::ofstream(tmp / "cut.osm") << ss.str().substr(0, 1500);
  struct Case {
    std::string file, extra, says;
  };
  std::vector<Case> cases = {
      {tmp / "cut.osm", "", "truncated"},
      {fixture("missing_node.osm"), "", "refers to node 4"},
      {fixture("no_walkable.osm"), "", "no walkable ways"},
      {fixture("no_facilities.osm"), "", "no facilities"},
      {fixture("walk_filter.osm"), "--type elderly", "no facilities of type 'elderly'"},
      {tmp / "absent.osm", "", "no such file"},
  };
  for (const auto& c : cases) {
    auto r = run_cli(
        "access nodes --osm " + c.file + " --cutoff-m 500 --out " + (tmp / "o.csv") + " " + c.extra,
        tmp);
    EXPECT_EQ(r.status, 1) << c.file << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(tmp / "o.csv")) << c.file;
  }
  // Only our own files remain: no temporary output left behind.
  for (const auto& e : fs::directory_iterator(tmp.path))
    EXPECT_TRUE(e.path().filename() == "cut.osm" || e.path().filename() == "stderr.txt")
        << e.path();
}

TEST(AccessNodesCommand, bad_usage_exits_2) {
  TempDir tmp;
  EXPECT_EQ(run_cli("access nodes --osm " + fixture("walk_filter.osm"), tmp).status, 2);
  EXPECT_EQ(run_cli("access nodes --osm x --cutoff-m ten --out y", tmp).status, 2);
  EXPECT_EQ(run_cli("access frobnicate", tmp).status, 2);
  EXPECT_EQ(run_cli("access --help", tmp).status, 0);
}

TEST(AccessNodesCommand, coverage_and_sites_run_on_the_chengdu_extract) {
  TempDir tmp;
  const std::string osm = std::string(GJ_SOURCE_DIR) + "/data/osm/chengdu_center_2018.osm";
  auto r = run_cli("access coverage --osm " + osm + " --out-dir " + (tmp / "cov"), tmp);
  ASSERT_EQ(r.status, 0) << r.err;
  auto cov = csv::read_file(tmp / "cov/coverage.csv");
  ASSERT_TRUE(cov.ok());
  ASSERT_FALSE(cov->rows.empty());
  EXPECT_EQ(cov->rows[0][0], "all");
  auto s =
      run_cli("access sites --osm " + osm + " --type school --k 3 --out " + (tmp / "s.csv"), tmp);
  ASSERT_EQ(s.status, 0) << s.err;
  auto sites = csv::read_file(tmp / "s.csv");
  ASSERT_TRUE(sites.ok());
  EXPECT_LE(sites->rows.size(), 3u);
  for (size_t i = 1; i < sites->rows.size(); ++i)
    EXPECT_GE(std::stod(sites->rows[i - 1][5]), std::stod(sites->rows[i][5]));
}

}  // namespace
}  // namespace gj::osm
