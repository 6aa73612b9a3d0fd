// 15-minute service circle 15分钟服务圈: walking distance from every home to every kind of
// service. The public face of the access engine: a compact walking graph (CSR), one bounded
// multi-source search per facility type, coverage per unit (grid 网格 / community 社区 /
// street 街道), the gap list 服务盲区 and greedy site suggestion 选址 (maximal coverage).
//
// Pure library: no file, SQL or HTTP here. Readers (OSM, the store) fill the plain structs below;
// `gongjian access …` and later the HTTP handlers call the functions.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace gj::access {

// OSMnx's great-circle length (osmnx.distance.great_circle_vec): haversine on a sphere of this
// radius, so our edge lengths equal OSMnx's `length` attribute.
inline constexpr double kEarthRadiusM = 6371009.0;
inline constexpr float kUnreached = std::numeric_limits<float>::infinity();

double great_circle_m(double lat1, double lon1, double lat2, double lon2);

struct GeoPoint {
  double lat = 0;
  double lon = 0;
};

// The raw walking network as a reader delivers it: nodes and ways (node sequences).
struct NetworkSource {
  std::vector<int64_t> node_ids;  // OSM node id per node
  std::vector<GeoPoint> node_coords;
  std::vector<uint32_t> way_offsets{0};  // way i = way_refs[way_offsets[i] .. way_offsets[i+1])
  std::vector<uint32_t> way_refs;        // indices into node_ids

  void add_way(std::span<const uint32_t> refs) {
    way_refs.insert(way_refs.end(), refs.begin(), refs.end());
    way_offsets.push_back(static_cast<uint32_t>(way_refs.size()));
  }
  size_t way_count() const { return way_offsets.size() - 1; }
};

// A point on the network: up to two seeds (node, walking metres from the point to that node).
// A POI snapped onto an edge (a, b) at fraction t seeds a at t·len and b at (1−t)·len; a POI
// that is itself a network node seeds that node at 0.
struct Seed {
  uint32_t node = 0;
  double offset_m = 0;
};
struct Anchor {
  std::array<Seed, 2> seeds{};
  uint8_t count = 0;           // 0 = not on the network (farther than the snap limit)
  double snap_distance_m = 0;  // straight line from the point to the network (not walked)
  bool placed() const { return count > 0; }
};

// Undirected walking graph in compressed sparse row form. Parallel edges keep the shortest;
// self loops are dropped. Nodes of one-node ways stay as isolated nodes.
class WalkGraph {
 public:
  // Takes the source by value: pass it with std::move to avoid holding two copies.
  static Result<WalkGraph> build(NetworkSource source);

  uint32_t node_count() const { return static_cast<uint32_t>(osm_ids_.size()); }
  size_t edge_count() const { return arcs_.size() / 2; }  // undirected edges
  int64_t osm_id(uint32_t v) const { return osm_ids_[v]; }
  GeoPoint coord(uint32_t v) const { return coords_[v]; }
  // Node index of an OSM node id, or -1.
  int64_t find(int64_t osm_id) const;
  // The i-th node in OSM id order (node indices themselves follow the graph's layout).
  uint32_t node_in_id_order(uint32_t i) const { return by_osm_id_[i]; }

  // Neighbour and length side by side: one cache line per node's edges during the search.
  struct Arc {
    uint32_t to;
    float length_m;
  };
  std::span<const Arc> arcs(uint32_t v) const {
    return {arcs_.data() + offsets_[v], arcs_.data() + offsets_[v + 1]};
  }

  // The contracted view the all-nodes search runs on. Nodes [0, core_node_count()) have
  // degree ≠ 2; every other node lies inside exactly one chain: a path of degree-2 nodes
  // between core nodes a and b (a == b for a loop), stored as the index range
  // [first, next chain's first) in walking order from a.
  struct Chain {
    uint32_t a, b, first;
    float length_m;  // from a to b along the chain
  };
  uint32_t core_node_count() const { return core_count_; }
  std::span<const uint32_t> core_offsets() const { return core_offsets_; }
  std::span<const Arc> core_arcs() const { return core_arcs_; }
  std::span<const uint32_t> offsets() const { return offsets_; }
  std::span<const Arc> all_arcs() const { return arcs_; }
  // Chains plus a sentinel whose `first` is node_count().
  std::span<const Chain> chains() const { return chains_; }
  uint32_t chain_of(uint32_t interior_node) const;
  // Length of the edge from an interior node back to its predecessor in its chain.
  float back_step(uint32_t interior_node) const { return arcs_[offsets_[interior_node]].length_m; }
  // Length of the edge between v and its neighbour (0 if they are not adjacent).
  double step_length(uint32_t v, uint32_t neighbour) const;

  // Nearest point on any edge within max_m metres (straight line); unplaced if none.
  // `network_node` (an OSM node id, or -1) wins when it is a node of the graph.
  Anchor snap(GeoPoint p, double max_m, int64_t network_node = -1) const;

  size_t memory_bytes() const;

 private:
  void build_snap_index();
  std::vector<int64_t> osm_ids_;
  std::vector<GeoPoint> coords_;
  std::vector<uint32_t> offsets_;
  std::vector<Arc> arcs_;
  std::vector<uint32_t> by_osm_id_;  // node indices sorted by OSM id
  // Snap index: undirected edges bucketed in a uniform grid of a local planar projection.
  double lat0_ = 0, lon0_ = 0, mx_ = 1, my_ = 1, cell_m_ = 250;
  std::vector<uint64_t> cell_keys_;   // occupied cells, sorted
  std::vector<uint32_t> cell_start_;  // cell i's edges: cell_edges_[start[i] .. start[i+1])
  std::vector<uint32_t> cell_edges_;
  uint32_t arc_source(uint32_t arc) const;
  uint32_t core_count_ = 0;
  std::vector<uint32_t> core_offsets_;
  std::vector<Arc> core_arcs_;
  std::vector<Chain> chains_;
};

// A facility 服务设施 of one type. Nodes carry their OSM node id so a POI that is a way node
// seeds that node exactly.
struct Facility {
  std::string type;
  GeoPoint point;
  int64_t source_id = 0;      // OSM id (node or way) or store id
  int64_t network_node = -1;  // OSM node id if the POI is an OSM node, else -1
  std::string name{};
  std::string opening_hours{};  // OSM `opening_hours` as written (shown, not interpreted)
};

struct TypeSeeds {
  std::string type;
  std::vector<Seed> seeds;
  size_t facilities = 0;  // of this type in the input
  size_t placed = 0;      // on the network (the rest are farther than the snap limit)
};

// Seeds per type, in the order of `types`. Facilities of other types are ignored.
std::vector<TypeSeeds> place_facilities(const WalkGraph& graph,
                                        std::span<const Facility> facilities,
                                        std::span<const std::string> types, double max_snap_m);

using ProgressFn = std::function<void(const std::string& what, double fraction)>;

// Distance in metres from every node to the nearest facility of each type, kUnreached beyond
// `cutoff_m`. One bounded multi-source search per type; types run on `threads` threads
// (0 = search_threads()).
struct NodeDistances {
  std::vector<std::string> types;
  std::vector<std::vector<float>> dist_m;  // [type][node]
  double cutoff_m = 0;
};
// Search threads when the caller leaves it to us (threads = 0): one below kParallelMinWork
// node×type pairs, else one per core up to one per type.
inline constexpr size_t kParallelMinWork = 2'000'000;
unsigned search_threads(size_t nodes, size_t types);
NodeDistances nearest_facility_distances(const WalkGraph& graph, std::span<const TypeSeeds> seeds,
                                         double cutoff_m, unsigned threads = 0,
                                         const ProgressFn& progress = {});

// One bounded multi-source search (exact, double precision): calls visit(node, dist) once for
// every node within cutoff_m, in no particular order. Reusable workspace for repeated searches.
class BoundedSearch {
 public:
  explicit BoundedSearch(const WalkGraph& graph);
  ~BoundedSearch();
  BoundedSearch(BoundedSearch&&) noexcept;
  void run(std::span<const Seed> seeds, double cutoff_m,
           const std::function<void(uint32_t node, double dist)>& visit);
  // Same, writing distances into out (size node_count, all kUnreached on entry).
  void run_into(std::span<const Seed> seeds, double cutoff_m, float* out);
  // Same visits as run (up to float rounding), with the queue on the core graph only: faster
  // for the many small balls of site suggestion.
  void run_ball(std::span<const Seed> seeds, double cutoff_m,
                const std::function<void(uint32_t node, double dist)>& visit);
  // Same nodes as run_ball, as a list in a buffer reused by the next call (no callback per
  // node: site suggestion runs hundreds of thousands of these balls).
  struct Reached {
    uint32_t node;
    float dist_m;
  };
  const std::vector<Reached>& ball(std::span<const Seed> seeds, double cutoff_m);
  // Site suggestion's initial gains: adds `weight` to node_gain[v] of every node v the ball
  // reaches, except for chains lying wholly inside it, which get chain_gain[chain] += weight
  // instead (the caller spreads chain_gain over each chain's interior nodes once at the end).
  void add_ball(std::span<const Seed> seeds, double cutoff_m, double weight, double* node_gain,
                double* chain_gain);
  // Same result as run_into, faster when most nodes are wanted: searches the core graph and
  // fills chains afterwards (what nearest_facility_distances uses).
  void run_all_nodes(std::span<const Seed> seeds, double cutoff_m, float* out);

  struct Impl;

 private:
  Impl* impl_;
};

// A home 住户: a residential building, or a registered household group, with the units it
// belongs to. Empty unit codes are grouped under "".
struct Residence {
  int64_t id = 0;
  GeoPoint point;
  double households = 1;  // 户数
  std::string grid, community, street;
};

struct CoverageParams {
  double walk_speed_kmh = 4.5;
  std::array<double, 3> minutes{5, 10, 15};
  double max_snap_m = 300;
  double gap_cell_m = 250;  // 服务盲区 cells
  // Each type's own minutes (e.g. school 10, market 15), in the order of the distances' types;
  // empty = minutes[2] for every type. Decides "covered" and the gap list per type.
  std::vector<double> type_minutes;
};

// Share of residences and households within 5 / 10 / 15 minutes, per unit and type.
struct CoverageRow {
  std::string level;  // "all", "grid", "community", "street"
  std::string unit;
  std::string type;
  size_t residences = 0;
  double households = 0;
  std::array<size_t, 3> residences_within{};
  std::array<double, 3> households_within{};
  double median_distance_m =
      -1;                   // over all residences; -1 when more than half are beyond the cutoff
  double type_minutes = 0;  // the type's own cut-off (CoverageParams::type_minutes)
  size_t residences_within_type = 0;
  double households_within_type = 0;
};

// A 250 m cell with homes and no facility of the type within the type's own reach.
struct GapCell {
  std::string type;
  int64_t cell_x = 0, cell_y = 0;
  GeoPoint centre;
  size_t residences = 0;
  double households = 0;
};

struct AccessReport {
  std::vector<std::string> types;
  double cutoff_m = 0;                  // of the node distances it was computed from
  std::vector<Anchor> anchors;          // per residence
  std::vector<float> residence_dist_m;  // [residence * types + type], kUnreached if beyond
  std::vector<CoverageRow> coverage;    // "all" first, then grid, community, street
  std::vector<GapCell> gaps;            // most households first
  size_t residences_unplaced = 0;       // farther than max_snap_m from any walkable edge
};

// Needs distances computed with a cutoff ≥ the longest reach (speed × last minutes).
Result<AccessReport> compute_coverage(const WalkGraph& graph, std::span<const Residence> residences,
                                      const NodeDistances& distances, const CoverageParams& params);

// Site suggestion 选址: k new sites of one type chosen greedily (lazy greedy, maximal coverage)
// for the most households newly within reach_m. Candidates are every network node, or the
// given candidate points (snapped).
struct SitingParams {
  std::string type;
  int k = 10;
  double reach_m = 1125;
  std::vector<GeoPoint> candidates;  // empty = every network node
  double max_snap_m = 300;
  unsigned threads = 0;
};
struct SiteSuggestion {
  int rank = 0;
  int64_t candidate = 0;  // index into SitingParams::candidates, or the OSM node id
  GeoPoint point;
  double households_added = 0;
  size_t residences_added = 0;
  double households_covered_after = 0;  // cumulative, existing facilities included
};
struct SitingResult {
  std::vector<SiteSuggestion> sites;
  double households_total = 0;
  double households_covered_before = 0;
};
// `report` must come from compute_coverage over the same residences and graph.
Result<SitingResult> suggest_sites(const WalkGraph& graph, std::span<const Residence> residences,
                                   const AccessReport& report, const SitingParams& params,
                                   const ProgressFn& progress = {});

// The graph and seeds as plain rows, so an independent reference (networkx in the tests,
// scipy and pgRouting in bench/) runs on exactly the graph the engine searched.
Status dump_graph(const WalkGraph& graph, std::span<const TypeSeeds> seeds,
                  const std::string& directory);

}  // namespace gj::access
