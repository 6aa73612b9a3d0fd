// The access engine against networkx on generated graphs and the Chengdu extract, and its
// coverage and siting on graphs small enough to check by hand or by brute force.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "domain/access/access.hpp"
#include "import/osm/osm_reader.hpp"
#include "nx_compare.hpp"

namespace gj::access {
namespace {

using testing::compare_with_networkx;

constexpr double kLat0 = 30.66, kLon0 = 104.06;

// Appends a rows × cols grid of ways (every row and column one way); returns the first index.
uint32_t add_grid(NetworkSource& s, int rows, int cols, double lat0, double lon0, double step,
                  int64_t id0) {
  const auto base = static_cast<uint32_t>(s.node_ids.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      s.node_ids.push_back(id0 + r * cols + c);
      s.node_coords.push_back({lat0 + r * step, lon0 + c * step});
    }
  std::vector<uint32_t> way;
  for (int r = 0; r < rows; ++r) {
    way.clear();
    for (int c = 0; c < cols; ++c) way.push_back(base + r * cols + c);
    s.add_way(way);
  }
  for (int c = 0; c < cols; ++c) {
    way.clear();
    for (int r = 0; r < rows; ++r) way.push_back(base + r * cols + c);
    s.add_way(way);
  }
  return base;
}

// Random geometric graph: n points in a box, an edge (a two-node way) between points closer
// than radius_m.
void add_random_geometric(NetworkSource& s, int n, double radius_m, unsigned seed, int64_t id0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 0.02);
  const auto base = static_cast<uint32_t>(s.node_ids.size());
  for (int i = 0; i < n; ++i) {
    s.node_ids.push_back(id0 + i);
    s.node_coords.push_back({kLat0 + u(rng), kLon0 + u(rng)});
  }
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) {
      const auto& a = s.node_coords[base + i];
      const auto& b = s.node_coords[base + j];
      if (great_circle_m(a.lat, a.lon, b.lat, b.lon) < radius_m) {
        uint32_t w[] = {base + static_cast<uint32_t>(i), base + static_cast<uint32_t>(j)};
        s.add_way(w);
      }
    }
}

WalkGraph build(const NetworkSource& s) {
  auto g = WalkGraph::build(s);
  EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.error().detail);
  return std::move(*g);
}

void expect_matches_networkx(const WalkGraph& g, const std::vector<TypeSeeds>& seeds,
                             double cutoff) {
  auto c = compare_with_networkx(g, seeds, cutoff);
  ASSERT_TRUE(c.ran) << c.message;
  EXPECT_GT(c.pairs, 0u);
  EXPECT_EQ(c.mismatched, 0u) << c.message;
  EXPECT_LT(c.max_abs_diff, 1.0);
}

TEST(Access, great_circle_lengths_follow_osmnx_with_earth_radius_6371009_m) {
  EXPECT_NEAR(great_circle_m(0, 0, 0, 1), 6371009.0 * M_PI / 180.0, 1e-6);
  EXPECT_NEAR(great_circle_m(30.66, 104.06, 30.66, 104.06), 0.0, 1e-12);
  // Symmetric, and a degree of latitude is the same arc anywhere.
  EXPECT_DOUBLE_EQ(great_circle_m(30, 104, 31, 105), great_circle_m(31, 105, 30, 104));
  EXPECT_NEAR(great_circle_m(30, 104, 31, 104), great_circle_m(0, 0, 1, 0), 1e-6);
}

TEST(Access, a_grid_matches_networkx_for_every_node) {
  NetworkSource s;
  add_grid(s, 40, 40, kLat0, kLon0, 0.0007, 1000);
  WalkGraph g = build(s);
  std::vector<Facility> f = {
      {"medical", {}, 1, 1000 + 5 * 40 + 7},            // on a node
      {"medical", {}, 2, 1000 + 33 * 40 + 30},          // on a node
      {"school", {kLat0 + 0.0071, kLon0 + 0.0100}, 3},  // beside an edge: partial offsets
      {"school", {kLat0 + 0.0200, kLon0 + 0.0213}, 4},
      {"market", {kLat0 + 0.0273, kLon0 + 0.0001}, 5},
  };
  std::vector<std::string> types = {"medical", "school", "market"};
  auto seeds = place_facilities(g, f, types, 300);
  for (const auto& t : seeds) EXPECT_EQ(t.placed, t.facilities) << t.type;
  expect_matches_networkx(g, seeds, 1125);
  expect_matches_networkx(g, seeds, 400);
}

TEST(Access, random_geometric_graphs_match_networkx_for_every_node) {
  for (unsigned seed : {1u, 2u, 3u}) {
    NetworkSource s;
    add_random_geometric(s, 700, 140, seed, 1);
    WalkGraph g = build(s);
    std::mt19937 rng(seed + 100);
    std::uniform_real_distribution<double> u(0.0, 0.02);
    std::vector<Facility> f;
    for (int i = 0; i < 6; ++i)
      f.push_back({i % 2 ? "medical" : "school", {kLat0 + u(rng), kLon0 + u(rng)}, i});
    std::vector<std::string> types = {"medical", "school"};
    auto seeds = place_facilities(g, f, types, 1000);
    expect_matches_networkx(g, seeds, 1125);
  }
}

TEST(Access, disconnected_parts_one_node_ways_and_dead_end_facilities_match_networkx) {
  NetworkSource s;
  add_grid(s, 10, 10, kLat0, kLon0, 0.001, 100);
  add_grid(s, 6, 6, kLat0 + 0.1, kLon0, 0.001, 500);  // far away, no facility there
  // A dead-end spur of three nodes off the first grid's corner, a facility at its tip.
  for (int i = 1; i <= 3; ++i) {
    s.node_ids.push_back(900 + i);
    s.node_coords.push_back({kLat0 - 0.0008 * i, kLon0});
  }
  uint32_t spur[] = {0, static_cast<uint32_t>(s.node_ids.size() - 3),
                     static_cast<uint32_t>(s.node_ids.size() - 2),
                     static_cast<uint32_t>(s.node_ids.size() - 1)};
  s.add_way(spur);
  // One-node ways: an isolated node with a facility on it, another without.
  for (int64_t id : {950, 951}) {
    s.node_ids.push_back(id);
    s.node_coords.push_back({kLat0 + 0.05, kLon0 + 0.05 + (id - 950) * 0.01});
    uint32_t one[] = {static_cast<uint32_t>(s.node_ids.size() - 1)};
    s.add_way(one);
  }
  WalkGraph g = build(s);
  EXPECT_EQ(g.node_count(), 100u + 36u + 3u + 2u);
  std::vector<Facility> f = {{"medical", {}, 1, 903}, {"school", {}, 2, 950}};
  std::vector<std::string> types = {"medical", "school"};
  auto seeds = place_facilities(g, f, types, 300);
  expect_matches_networkx(g, seeds, 1125);
  auto d = nearest_facility_distances(g, seeds, 1125, 1);
  EXPECT_EQ(d.dist_m[1][g.find(950)], 0.0f);
  EXPECT_EQ(d.dist_m[1][g.find(951)], kUnreached);
  EXPECT_EQ(d.dist_m[0][g.find(500)], kUnreached);  // the other part
  EXPECT_EQ(d.dist_m[0][g.find(903)], 0.0f);
}

// Chains of degree-2 nodes are searched as single core edges and filled in afterwards; rings,
// lollipop loops and facilities inside chains are the cases that shortcut must get right.
TEST(Access, rings_loops_and_facilities_inside_chains_match_networkx) {
  NetworkSource s;
  auto add_node = [&](int64_t id, double dlat, double dlon) {
    s.node_ids.push_back(id);
    s.node_coords.push_back({kLat0 + dlat, kLon0 + dlon});
    return static_cast<uint32_t>(s.node_ids.size() - 1);
  };
  // A ring of 12 nodes touching nothing else (no core node at all).
  std::vector<uint32_t> ring;
  for (int i = 0; i < 12; ++i)
    ring.push_back(
        add_node(100 + i, 0.002 * std::sin(i * M_PI / 6), 0.002 * std::cos(i * M_PI / 6)));
  ring.push_back(ring.front());
  s.add_way(ring);
  // A long street (one chain) with a lollipop loop hanging off its east end.
  std::vector<uint32_t> street;
  for (int i = 0; i < 30; ++i) street.push_back(add_node(200 + i, 0.01, 0.0004 * i));
  s.add_way(street);
  std::vector<uint32_t> loop = {street.back()};
  for (int i = 1; i < 8; ++i)
    loop.push_back(add_node(300 + i, 0.01 + 0.0008 * std::sin(i * M_PI / 4),
                            0.0116 + 0.0008 - 0.0008 * std::cos(i * M_PI / 4)));
  loop.push_back(street.back());
  s.add_way(loop);
  // A cross street making node 210 a junction.
  uint32_t cross[] = {add_node(400, 0.0105, 0.004), street[10], add_node(401, 0.0095, 0.004)};
  s.add_way(cross);
  WalkGraph g = build(s);
  EXPECT_LT(g.core_node_count(), g.node_count() / 4);
  std::vector<Facility> f = {
      {"medical", {}, 1, 105},                           // on the ring
      {"school", {}, 2, 220},                            // inside the street's chain
      {"school", {kLat0 + 0.01002, kLon0 + 0.0061}, 3},  // beside a chain edge
      {"market", {}, 4, 304},                            // inside the loop
      {"elderly", {}, 5, 229},                           // the loop's junction
  };
  std::vector<std::string> types = {"medical", "school", "market", "elderly"};
  auto seeds = place_facilities(g, f, types, 300);
  for (const auto& t : seeds) EXPECT_EQ(t.placed, t.facilities) << t.type;
  expect_matches_networkx(g, seeds, 1125);
  expect_matches_networkx(g, seeds, 150);
}

TEST(Access, the_chain_shortcut_equals_a_plain_search_on_random_graphs) {
  for (unsigned seed : {4u, 5u}) {
    NetworkSource s;
    add_random_geometric(s, 1500, 90, seed, 1);
    WalkGraph g = build(s);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<uint32_t> pick(0, g.node_count() - 1);
    std::vector<Seed> seeds;
    for (int i = 0; i < 8; ++i) seeds.push_back({pick(rng), i * 7.5});
    BoundedSearch search(g);
    std::vector<float> plain(g.node_count(), kUnreached), fast(g.node_count(), kUnreached);
    search.run_into(seeds, 900, plain.data());
    search.run_all_nodes(seeds, 900, fast.data());
    for (uint32_t v = 0; v < g.node_count(); ++v) {
      if (plain[v] == kUnreached || fast[v] == kUnreached)
        EXPECT_EQ(plain[v], fast[v]) << v;
      else
        EXPECT_NEAR(plain[v], fast[v], 1e-3) << v;
    }
  }
}

TEST(Access, the_small_balls_of_siting_equal_a_plain_search_with_wide_buckets) {
  // ball() searches the core graph with wide buckets (cutoff/32) and walks the chains after:
  // the same nodes and distances as a plain 1 m bucket search, seeds inside chains included.
  NetworkSource s;
  add_random_geometric(s, 1500, 90, 6, 1);
  WalkGraph g = build(s);
  std::mt19937 rng(6);
  std::uniform_int_distribution<uint32_t> pick(0, g.node_count() - 1);
  BoundedSearch search(g);
  for (int trial = 0; trial < 40; ++trial) {
    std::vector<Seed> seeds = {{pick(rng), trial * 3.0}};
    if (trial % 2) seeds.push_back({pick(rng), 20.0});
    const double cutoff = 200 + 25 * trial;
    std::vector<float> plain(g.node_count(), kUnreached);
    search.run_into(seeds, cutoff, plain.data());
    std::vector<float> ball(g.node_count(), kUnreached);
    size_t visits = 0;
    for (const auto& r : search.ball(seeds, cutoff)) {
      ASSERT_EQ(ball[r.node], kUnreached) << "node visited twice: " << r.node;
      ball[r.node] = r.dist_m;
      ++visits;
    }
    size_t reached = 0;
    for (uint32_t v = 0; v < g.node_count(); ++v) {
      reached += plain[v] != kUnreached;
      if (plain[v] == kUnreached || ball[v] == kUnreached)
        EXPECT_EQ(plain[v], ball[v]) << "trial " << trial << " node " << v;
      else
        EXPECT_NEAR(plain[v], ball[v], 1e-3) << "trial " << trial << " node " << v;
    }
    EXPECT_EQ(visits, reached);
  }
}

TEST(Access, the_chengdu_extract_matches_networkx_for_every_node_and_type) {
  auto ex = osm::read_osm(std::string(GJ_SOURCE_DIR) + "/data/osm/chengdu_center_2018.osm",
                          osm::TypeMapping::defaults());
  ASSERT_TRUE(ex.ok()) << ex.error().detail;
  WalkGraph g = build(ex->network);
  EXPECT_GT(g.node_count(), 9000u);
  std::vector<std::string> types = {"medical", "school", "market"};
  auto seeds = place_facilities(g, ex->facilities, types, 300);
  for (const auto& t : seeds) EXPECT_GT(t.placed, 0u) << t.type;
  expect_matches_networkx(g, seeds, 1125);
}

TEST(Access, parallel_edges_keep_the_shortest_and_self_loops_are_dropped) {
  NetworkSource s;
  s.node_ids = {1, 2, 3};
  s.node_coords = {{kLat0, kLon0}, {kLat0, kLon0 + 0.001}, {kLat0 + 0.0005, kLon0 + 0.0005}};
  uint32_t direct[] = {0, 1}, back[] = {1, 0}, loop[] = {2, 2}, detour[] = {0, 2, 1};
  s.add_way(direct);
  s.add_way(back);
  s.add_way(loop);
  s.add_way(detour);
  WalkGraph g = build(s);
  EXPECT_EQ(g.edge_count(), 3u);
  std::vector<TypeSeeds> seeds = {{"medical", {{0, 0.0}}, 1, 1}};
  auto d = nearest_facility_distances(g, seeds, 5000, 1);
  EXPECT_NEAR(d.dist_m[0][1], great_circle_m(kLat0, kLon0, kLat0, kLon0 + 0.001), 1e-3);
}

TEST(Access, a_point_beside_an_edge_seeds_both_ends_with_the_partial_offsets) {
  NetworkSource s;
  s.node_ids = {1, 2};
  s.node_coords = {{kLat0, kLon0}, {kLat0, kLon0 + 0.002}};
  uint32_t w[] = {0, 1};
  s.add_way(w);
  WalkGraph g = build(s);
  const double len = great_circle_m(kLat0, kLon0, kLat0, kLon0 + 0.002);
  Anchor a = g.snap({kLat0 + 0.0003, kLon0 + 0.0005}, 300);
  ASSERT_EQ(a.count, 2);
  EXPECT_NEAR(a.seeds[0].offset_m + a.seeds[1].offset_m, len, 1e-6);
  EXPECT_NEAR(a.seeds[0].offset_m, len / 4, 0.05);
  EXPECT_NEAR(a.snap_distance_m, 0.0003 * kEarthRadiusM * M_PI / 180, 0.1);
  // Beyond the end of the edge the point snaps to the end node itself.
  Anchor end = g.snap({kLat0, kLon0 + 0.0025}, 300);
  ASSERT_EQ(end.count, 1);
  EXPECT_EQ(end.seeds[0].node, 1u);
  EXPECT_EQ(end.seeds[0].offset_m, 0.0);
  // Too far: not placed; an OSM node of the graph: seeded at 0 wherever the point is.
  EXPECT_FALSE(g.snap({kLat0 + 0.01, kLon0}, 300).placed());
  Anchor on = g.snap({0, 0}, 300, 2);
  ASSERT_EQ(on.count, 1);
  EXPECT_EQ(on.seeds[0].node, 1u);
}

TEST(Access, a_zero_cutoff_reaches_only_the_facility_nodes) {
  NetworkSource s;
  add_grid(s, 3, 3, kLat0, kLon0, 0.001, 1);
  WalkGraph g = build(s);
  std::vector<TypeSeeds> seeds = {{"medical", {{4, 0.0}}, 1, 1}};
  auto d = nearest_facility_distances(g, seeds, 0, 1);
  for (uint32_t v = 0; v < g.node_count(); ++v)
    EXPECT_EQ(d.dist_m[0][v], v == 4 ? 0.0f : kUnreached);
}

// A straight street with nodes every 0.001° of longitude and a clinic at its west end.
struct Street {
  WalkGraph g;
  std::vector<double> at;  // distance of each node from the clinic
};
Street street(int n) {
  NetworkSource s;
  std::vector<uint32_t> way;
  for (int i = 0; i < n; ++i) {
    s.node_ids.push_back(i + 1);
    s.node_coords.push_back({kLat0, kLon0 + 0.001 * i});
    way.push_back(i);
  }
  s.add_way(way);
  Street st{build(s), {0.0}};
  for (int i = 1; i < n; ++i)
    st.at.push_back(st.at.back() +
                    great_circle_m(kLat0, kLon0 + 0.001 * (i - 1), kLat0, kLon0 + 0.001 * i));
  return st;
}

TEST(Access, coverage_counts_homes_and_households_within_5_10_15_minutes_per_unit) {
  Street st = street(20);
  std::vector<TypeSeeds> seeds = {{"medical", {{0, 0.0}}, 1, 1}};
  auto d = nearest_facility_distances(st.g, seeds, 1125, 1);
  std::vector<Residence> homes;
  for (int i = 0; i < 20; ++i)
    homes.push_back({i,
                     {kLat0, kLon0 + 0.001 * i},
                     static_cast<double>(i + 1),
                     i < 10 ? "G1" : "G2",
                     "C1",
                     "S1"});
  auto rep = compute_coverage(st.g, homes, d, {});
  ASSERT_TRUE(rep.ok()) << rep.error().detail;
  std::array<size_t, 3> res{};
  std::array<double, 3> hh{};
  const double reach[] = {375, 750, 1125};
  for (int i = 0; i < 20; ++i)
    for (int k = 0; k < 3; ++k)
      if (st.at[i] <= reach[k]) {
        ++res[k];
        hh[k] += i + 1;
      }
  ASSERT_FALSE(rep->coverage.empty());
  const auto& all = rep->coverage.front();
  EXPECT_EQ(all.level, "all");
  EXPECT_EQ(all.residences, 20u);
  EXPECT_DOUBLE_EQ(all.households, 210);
  EXPECT_EQ(all.residences_within, res);
  EXPECT_EQ(all.households_within, hh);
  bool saw_g2 = false;
  for (const auto& r : rep->coverage)
    if (r.level == "grid" && r.unit == "G2") {
      saw_g2 = true;
      EXPECT_EQ(r.residences, 10u);
      EXPECT_EQ(r.residences_within[0], 0u);  // homes 10..19 are ≥ 950 m away
    }
  EXPECT_TRUE(saw_g2);
  // Gap cells hold exactly the homes beyond 15 minutes.
  size_t gap_homes = 0;
  double gap_hh = 0;
  for (const auto& c : rep->gaps) {
    gap_homes += c.residences;
    gap_hh += c.households;
  }
  EXPECT_EQ(gap_homes, 20 - res[2]);
  EXPECT_DOUBLE_EQ(gap_hh, 210 - hh[2]);
  for (size_t i = 1; i < rep->gaps.size(); ++i)
    EXPECT_GE(rep->gaps[i - 1].households, rep->gaps[i].households);
}

TEST(Access, the_median_distance_counts_homes_out_of_reach_and_is_absent_when_most_are) {
  Street st = street(20);
  std::vector<TypeSeeds> seeds = {{"medical", {{0, 0.0}}, 1, 1}};
  auto d = nearest_facility_distances(st.g, seeds, 1125, 1);
  auto homes_at = [&](int from, int to) {
    std::vector<Residence> homes;
    for (int i = from; i < to; ++i)
      homes.push_back({i, {kLat0, kLon0 + 0.001 * i}, 1.0, "G1", "C1", "S1"});
    return homes;
  };
  // All 20 homes: the median is over all of them, out-of-reach ones counted as farthest.
  std::vector<double> all;
  for (int i = 0; i < 20; ++i) all.push_back(st.at[i] <= 1125 ? st.at[i] : 1e18);
  std::sort(all.begin(), all.end());
  auto rep = compute_coverage(st.g, homes_at(0, 20), d, {});
  ASSERT_TRUE(rep.ok());
  double expected = (all[9] + all[10]) / 2;
  if (expected > 1e17) expected = -1;
  EXPECT_NEAR(rep->coverage.front().median_distance_m, expected, 0.01);
  // Only the far homes: most are beyond reach, so there is no median to show.
  auto far = compute_coverage(st.g, homes_at(12, 20), d, {});
  ASSERT_TRUE(far.ok());
  ASSERT_LT(far->coverage.front().households_within[2], 4.0);
  EXPECT_EQ(far->coverage.front().median_distance_m, -1);
}

TEST(Access, coverage_refuses_distances_cut_off_short_of_the_reach) {
  Street st = street(5);
  std::vector<TypeSeeds> seeds = {{"medical", {{0, 0.0}}, 1, 1}};
  auto d = nearest_facility_distances(st.g, seeds, 500, 1);
  std::vector<Residence> homes = {{1, {kLat0, kLon0}, 1, "", "", ""}};
  auto rep = compute_coverage(st.g, homes, d, {});
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kInvalidInput);
}

// Plain greedy by brute force: every candidate node's full coverage recomputed each round.
std::vector<std::pair<int64_t, double>> brute_force_greedy(const WalkGraph& g,
                                                           const std::vector<Residence>& homes,
                                                           const AccessReport& rep, int k,
                                                           double reach) {
  std::vector<char> covered(homes.size());
  for (size_t r = 0; r < homes.size(); ++r)
    covered[r] = !rep.anchors[r].placed() || rep.residence_dist_m[r] <= reach;
  BoundedSearch search(g);
  std::vector<std::pair<int64_t, double>> out;
  for (int round = 0; round < k; ++round) {
    double best = 0;
    uint32_t best_c = 0;
    for (uint32_t c = 0; c < g.node_count(); ++c) {
      std::vector<float> d(g.node_count(), kUnreached);
      Seed s{c, 0.0};
      search.run_into({&s, 1}, reach, d.data());
      double gain = 0;
      for (size_t r = 0; r < homes.size(); ++r) {
        if (covered[r]) continue;
        double best_r = 1e300;
        for (int i = 0; i < rep.anchors[r].count; ++i)
          if (d[rep.anchors[r].seeds[i].node] != kUnreached)
            best_r = std::min(best_r,
                              d[rep.anchors[r].seeds[i].node] + rep.anchors[r].seeds[i].offset_m);
        if (best_r <= reach) gain += homes[r].households;
      }
      if (gain > best + 1e-9) {
        best = gain;
        best_c = c;
      }
    }
    if (best <= 0) break;
    std::vector<float> d(g.node_count(), kUnreached);
    Seed s{best_c, 0.0};
    search.run_into({&s, 1}, reach, d.data());
    for (size_t r = 0; r < homes.size(); ++r)
      for (int i = 0; i < rep.anchors[r].count; ++i)
        if (d[rep.anchors[r].seeds[i].node] != kUnreached &&
            d[rep.anchors[r].seeds[i].node] + rep.anchors[r].seeds[i].offset_m <= reach)
          covered[r] = 1;
    out.emplace_back(g.osm_id(best_c), best);
  }
  return out;
}

TEST(Access, lazy_greedy_siting_picks_what_plain_greedy_picks) {
  NetworkSource s;
  add_random_geometric(s, 250, 160, 7, 1);
  WalkGraph g = build(s);
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0.0, 0.02);
  std::uniform_int_distribution<int> hh(1, 40);
  std::vector<Residence> homes;
  for (int i = 0; i < 400; ++i)
    homes.push_back(
        {i, {kLat0 + u(rng), kLon0 + u(rng)}, static_cast<double>(hh(rng)), "", "", ""});
  std::vector<Facility> f = {{"elderly", {kLat0 + 0.01, kLon0 + 0.01}, 1}};
  std::vector<std::string> types = {"elderly"};
  auto seeds = place_facilities(g, f, types, 300);
  auto d = nearest_facility_distances(g, seeds, 600, 2);
  CoverageParams cp;
  cp.minutes = {2, 4, 8};  // 600 m at 4.5 km/h
  auto rep = compute_coverage(g, homes, d, cp);
  ASSERT_TRUE(rep.ok());
  SitingParams sp;
  sp.type = "elderly";
  sp.k = 6;
  sp.reach_m = 600;
  auto sites = suggest_sites(g, homes, *rep, sp);
  ASSERT_TRUE(sites.ok()) << sites.error().detail;
  auto want = brute_force_greedy(g, homes, *rep, 6, 600);
  ASSERT_EQ(sites->sites.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(sites->sites[i].households_added, want[i].second, 1e-9) << "site " << i;
    EXPECT_EQ(sites->sites[i].candidate, want[i].first) << "site " << i;
  }
  for (size_t i = 1; i < want.size(); ++i)
    EXPECT_GE(sites->sites[i - 1].households_added, sites->sites[i].households_added);
}

TEST(Access, siting_from_candidate_sites_names_the_candidates_and_their_new_households) {
  Street st = street(40);  // ~3.8 km of street, the clinic at the west end
  std::vector<TypeSeeds> seeds = {{"medical", {{0, 0.0}}, 1, 1}};
  auto d = nearest_facility_distances(st.g, seeds, 1125, 1);
  std::vector<Residence> homes;
  for (int i = 0; i < 40; ++i) homes.push_back({i, {kLat0, kLon0 + 0.001 * i}, 2, "", "", ""});
  auto rep = compute_coverage(st.g, homes, d, {});
  ASSERT_TRUE(rep.ok());
  SitingParams sp;
  sp.type = "medical";
  sp.k = 3;
  sp.reach_m = 1125;
  sp.candidates = {{kLat0 + 0.0001, kLon0 + 0.005},  // inside the covered part: gains little
                   {kLat0 + 0.0001, kLon0 + 0.030},  // far east: covers the most new homes
                   {kLat0 + 0.5, kLon0}};            // off the network: never chosen
  auto sites = suggest_sites(st.g, homes, *rep, sp);
  ASSERT_TRUE(sites.ok());
  ASSERT_GE(sites->sites.size(), 1u);
  EXPECT_EQ(sites->sites[0].candidate, 1);
  size_t uncovered = 0;
  for (int i = 0; i < 40; ++i) uncovered += st.at[i] > 1125;
  EXPECT_DOUBLE_EQ(sites->households_total, 80);
  EXPECT_DOUBLE_EQ(sites->households_covered_before, 2.0 * (40 - uncovered));
  for (const auto& s : sites->sites) EXPECT_NE(s.candidate, 2);
  EXPECT_LE(sites->sites.back().households_covered_after, 80);
}

TEST(Access, siting_rejects_an_unknown_type_and_a_reach_beyond_the_cutoff) {
  Street st = street(5);
  std::vector<TypeSeeds> seeds = {{"medical", {{0, 0.0}}, 1, 1}};
  auto d = nearest_facility_distances(st.g, seeds, 1125, 1);
  std::vector<Residence> homes = {{1, {kLat0, kLon0 + 0.004}, 1, "", "", ""}};
  auto rep = compute_coverage(st.g, homes, d, {});
  ASSERT_TRUE(rep.ok());
  SitingParams sp;
  sp.type = "school";
  EXPECT_FALSE(suggest_sites(st.g, homes, *rep, sp).ok());
  sp.type = "medical";
  sp.reach_m = 5000;
  EXPECT_FALSE(suggest_sites(st.g, homes, *rep, sp).ok());
}

TEST(Access, each_type_counts_within_its_own_minutes_and_its_gaps_beyond_them) {
  Street st = street(20);
  // A school and a market at the same west end; schools count within 5 minutes (375 m),
  // markets within 15 (1,125 m).
  std::vector<TypeSeeds> seeds = {{"school", {{0, 0.0}}, 1, 1}, {"market", {{0, 0.0}}, 1, 1}};
  auto d = nearest_facility_distances(st.g, seeds, 1125, 1);
  std::vector<Residence> homes;
  for (int i = 0; i < 20; ++i) homes.push_back({i, {kLat0, kLon0 + 0.001 * i}, 2.0, "G", "", ""});
  CoverageParams cp;
  cp.type_minutes = {5, 15};
  auto rep = compute_coverage(st.g, homes, d, cp);
  ASSERT_TRUE(rep.ok()) << rep.error().detail;
  size_t within5 = 0, within15 = 0;
  for (int i = 0; i < 20; ++i) {
    within5 += st.at[i] <= 375;
    within15 += st.at[i] <= 1125;
  }
  ASSERT_LT(within5, within15);
  std::map<std::string, CoverageRow> all;
  for (const auto& c : rep->coverage)
    if (c.level == "all") all[c.type] = c;
  EXPECT_EQ(all["school"].type_minutes, 5);
  EXPECT_EQ(all["school"].residences_within_type, within5);
  EXPECT_DOUBLE_EQ(all["school"].households_within_type, 2.0 * within5);
  EXPECT_EQ(all["market"].type_minutes, 15);
  EXPECT_EQ(all["market"].residences_within_type, within15);
  // The 5/10/15-minute columns stay the same for both types (same facility position).
  EXPECT_EQ(all["school"].residences_within, all["market"].residences_within);
  // Gaps: per type, exactly the homes beyond the type's own minutes.
  std::map<std::string, size_t> gap_homes;
  for (const auto& g : rep->gaps) gap_homes[g.type] += g.residences;
  EXPECT_EQ(gap_homes["school"], 20 - within5);
  EXPECT_EQ(gap_homes["market"], 20 - within15);
  // One minutes value per type, each positive.
  cp.type_minutes = {5};
  EXPECT_FALSE(compute_coverage(st.g, homes, d, cp).ok());
  cp.type_minutes = {0, 15};
  EXPECT_FALSE(compute_coverage(st.g, homes, d, cp).ok());
  // A type's minutes beyond the distances' cut-off are refused.
  cp.type_minutes = {5, 20};
  EXPECT_FALSE(compute_coverage(st.g, homes, d, cp).ok());
}

TEST(Access, small_graphs_search_on_one_thread_and_threads_do_not_change_distances) {
  EXPECT_EQ(search_threads(76'680, 3), 1u);
  EXPECT_EQ(search_threads(1000, 8), 1u);
  EXPECT_GE(search_threads(kParallelMinWork, 1), 1u);
  NetworkSource s;
  add_random_geometric(s, 300, 150, 5, 1);
  WalkGraph g = build(s);
  std::vector<TypeSeeds> seeds = {
      {"a", {{0, 0.0}, {17, 3.5}}, 2, 2}, {"b", {{40, 0.0}}, 1, 1}, {"c", {{99, 12.0}}, 1, 1}};
  auto one = nearest_facility_distances(g, seeds, 900, 1);
  auto two = nearest_facility_distances(g, seeds, 900, 2);
  auto dflt = nearest_facility_distances(g, seeds, 900, 0);
  EXPECT_EQ(one.dist_m, two.dist_m);
  EXPECT_EQ(one.dist_m, dflt.dist_m);
}

TEST(Access, lazy_greedy_siting_with_every_node_a_home_picks_what_plain_greedy_picks) {
  // The benchmark's stress shape, small: every node is a home, one facility.
  NetworkSource s;
  add_random_geometric(s, 220, 170, 13, 1);
  add_grid(s, 6, 6, kLat0 + 0.03, kLon0, 0.0012, 100000);  // a second, disconnected part
  WalkGraph g = build(s);
  std::vector<Residence> homes;
  for (uint32_t v = 0; v < g.node_count(); ++v)
    homes.push_back({g.osm_id(v), g.coord(v), 1.0 + v % 3, "", "", ""});
  std::vector<Facility> f = {{"school", {kLat0 + 0.01, kLon0 + 0.01}, 1}};
  std::vector<std::string> types = {"school"};
  auto seeds = place_facilities(g, f, types, 300);
  auto d = nearest_facility_distances(g, seeds, 500, 1);
  CoverageParams cp;
  cp.minutes = {2, 4, 500.0 / 75};
  auto rep = compute_coverage(g, homes, d, cp);
  ASSERT_TRUE(rep.ok()) << rep.error().detail;
  SitingParams sp;
  sp.type = "school";
  sp.k = 8;
  sp.reach_m = 500;
  for (unsigned threads : {1u, 2u}) {
    sp.threads = threads;
    auto sites = suggest_sites(g, homes, *rep, sp);
    ASSERT_TRUE(sites.ok()) << sites.error().detail;
    auto want = brute_force_greedy(g, homes, *rep, 8, 500);
    ASSERT_EQ(sites->sites.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_NEAR(sites->sites[i].households_added, want[i].second, 1e-9) << "site " << i;
      EXPECT_EQ(sites->sites[i].candidate, want[i].first) << "site " << i;
    }
  }
}

}  // namespace
}  // namespace gj::access
