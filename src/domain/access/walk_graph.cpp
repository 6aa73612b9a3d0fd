// Building the CSR walking graph and snapping points onto it.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "domain/access/access.hpp"

namespace gj::access {

double great_circle_m(double lat1, double lon1, double lat2, double lon2) {
  // Same operations, same order as osmnx.distance.great_circle_vec, so lengths agree to the bit
  // as far as libm allows.
  constexpr double kRad = M_PI / 180.0;
  const double y1 = lat1 * kRad, y2 = lat2 * kRad;
  const double dy = y2 - y1;
  const double x1 = lon1 * kRad, x2 = lon2 * kRad;
  const double dx = x2 - x1;
  const double sy = std::sin(dy / 2), sx = std::sin(dx / 2);
  double h = sy * sy + std::cos(y1) * std::cos(y2) * sx * sx;
  h = std::min(1.0, h);
  const double arc = 2 * std::asin(std::sqrt(h));
  return arc * kEarthRadiusM;
}

Result<WalkGraph> WalkGraph::build(NetworkSource src) {
  const size_t n = src.node_ids.size();
  if (src.node_coords.size() != n)
    return make_error(ErrorCode::kInvalidInput, "node ids and coordinates differ in count");
  if (n == 0) return make_error(ErrorCode::kInvalidInput, "the walking network has no nodes");
  if (n >= std::numeric_limits<uint32_t>::max())
    return make_error(ErrorCode::kInvalidInput, "too many nodes for one walking graph");

  struct E {
    uint32_t a, b;
    float len;
  };
  std::vector<E> edges;
  edges.reserve(src.way_refs.size());
  for (size_t w = 0; w < src.way_count(); ++w) {
    for (uint32_t i = src.way_offsets[w] + 1; i < src.way_offsets[w + 1]; ++i) {
      uint32_t a = src.way_refs[i - 1], b = src.way_refs[i];
      if (a >= n || b >= n)
        return make_error(ErrorCode::kInvalidInput, "a way refers to a node index out of range");
      if (a == b) continue;  // a repeated node is a self loop: never on a shortest path
      const auto& pa = src.node_coords[a];
      const auto& pb = src.node_coords[b];
      float len = static_cast<float>(great_circle_m(pa.lat, pa.lon, pb.lat, pb.lon));
      edges.push_back({std::min(a, b), std::max(a, b), len});
    }
  }
  // Parallel edges (two ways over the same pair, or a way doubling back): keep the shortest.
  std::sort(edges.begin(), edges.end(), [](const E& x, const E& y) {
    return x.a != y.a ? x.a < y.a : x.b != y.b ? x.b < y.b : x.len < y.len;
  });
  edges.erase(std::unique(edges.begin(), edges.end(),
                          [](const E& x, const E& y) { return x.a == y.a && x.b == y.b; }),
              edges.end());
  edges.shrink_to_fit();

  std::vector<uint32_t>().swap(src.way_refs);
  std::vector<uint32_t>().swap(src.way_offsets);

  // Layout. Core nodes (degree ≠ 2: junctions, dead ends, isolated nodes) come first, in
  // breadth-first order so that neighbours get nearby indices and a search walks memory almost
  // sequentially. Then the interior nodes of every chain (a run of degree-2 nodes between two
  // core nodes, two thirds of an OSM walking network), chain after chain in walking order.
  // The all-nodes search runs on the core only and fills chains in one sequential pass.
  std::vector<uint32_t> order;  // new index → old index
  struct RawChain {
    uint32_t a, b, first;
  };
  std::vector<RawChain> raw_chains;
  uint32_t core_count = 0;
  {
    std::vector<uint32_t> off(n + 1, 0), adj(edges.size() * 2);
    for (const auto& e : edges) {
      ++off[e.a + 1];
      ++off[e.b + 1];
    }
    std::partial_sum(off.begin(), off.end(), off.begin());
    {
      std::vector<uint32_t> fill(off.begin(), off.end() - 1);
      for (const auto& e : edges) {
        adj[fill[e.a]++] = e.b;
        adj[fill[e.b]++] = e.a;
      }
    }
    std::vector<uint32_t> bfs;
    bfs.reserve(n);
    {
      std::vector<char> seen(n, 0);
      for (uint32_t root = 0; root < n; ++root) {
        if (seen[root]) continue;
        seen[root] = 1;
        for (size_t tail = (bfs.push_back(root), bfs.size() - 1); tail < bfs.size(); ++tail) {
          const uint32_t u = bfs[tail];
          for (uint32_t k = off[u]; k < off[u + 1]; ++k)
            if (!seen[adj[k]]) {
              seen[adj[k]] = 1;
              bfs.push_back(adj[k]);
            }
        }
      }
    }
    // 0 = interior not yet walked, 1 = interior walked, 2 = core
    std::vector<char> state(n, 0);
    for (uint32_t v = 0; v < n; ++v) state[v] = off[v + 1] - off[v] != 2 ? 2 : 0;
    std::vector<uint32_t> interior;
    auto walk = [&](uint32_t a, uint32_t x) {
      if (state[x] != 0) return;  // a core neighbour, or a chain walked from its other end
      const auto first = static_cast<uint32_t>(interior.size());
      uint32_t prev = a, cur = x;
      while (state[cur] != 2) {
        state[cur] = 1;
        interior.push_back(cur);
        const uint32_t next = adj[off[cur]] == prev ? adj[off[cur] + 1] : adj[off[cur]];
        prev = cur;
        cur = next;
      }
      raw_chains.push_back({a, cur, first});
    };
    for (uint32_t v : bfs)
      if (state[v] == 2)
        for (uint32_t k = off[v]; k < off[v + 1]; ++k) walk(v, adj[k]);
    // A ring of degree-2 nodes touches no core node: one of its nodes becomes core.
    for (uint32_t v : bfs)
      if (state[v] == 0) {
        state[v] = 2;
        walk(v, adj[off[v]]);
      }
    std::vector<uint32_t>().swap(adj);
    std::vector<uint32_t>().swap(off);
    for (uint32_t v : bfs)
      if (state[v] == 2) order.push_back(v);
    core_count = static_cast<uint32_t>(order.size());
    order.insert(order.end(), interior.begin(), interior.end());
  }
  {
    std::vector<uint32_t> new_of(n);
    for (uint32_t i = 0; i < n; ++i) new_of[order[i]] = i;
    for (auto& e : edges) {
      const uint32_t a = new_of[e.a], b = new_of[e.b];
      e.a = std::min(a, b);
      e.b = std::max(a, b);
    }
    for (auto& c : raw_chains) {
      c.a = new_of[c.a];
      c.b = new_of[c.b];
      c.first += core_count;
    }
  }
  WalkGraph g;
  g.osm_ids_.resize(n);
  for (uint32_t i = 0; i < n; ++i) g.osm_ids_[i] = src.node_ids[order[i]];
  std::vector<int64_t>().swap(src.node_ids);
  g.coords_.resize(n);
  for (uint32_t i = 0; i < n; ++i) g.coords_[i] = src.node_coords[order[i]];
  std::vector<GeoPoint>().swap(src.node_coords);
  std::vector<uint32_t>().swap(order);
  g.offsets_.assign(n + 1, 0);
  for (const auto& e : edges) {
    ++g.offsets_[e.a + 1];
    ++g.offsets_[e.b + 1];
  }
  std::partial_sum(g.offsets_.begin(), g.offsets_.end(), g.offsets_.begin());
  g.arcs_.resize(edges.size() * 2);
  std::vector<uint32_t> fill(g.offsets_.begin(), g.offsets_.end() - 1);
  for (const auto& e : edges) {
    g.arcs_[fill[e.a]++] = {e.b, e.len};
    g.arcs_[fill[e.b]++] = {e.a, e.len};
  }
  // An interior node's first arc points back along its chain (towards a): walking a chain
  // then reads one arc per node, no search.
  for (size_t c = 0; c < raw_chains.size(); ++c) {
    const uint32_t end = c + 1 < raw_chains.size() ? raw_chains[c + 1].first : n;
    for (uint32_t v = raw_chains[c].first; v < end; ++v) {
      const uint32_t prev = v == raw_chains[c].first ? raw_chains[c].a : v - 1;
      auto* first = &g.arcs_[g.offsets_[v]];
      if (first->to != prev) std::swap(first[0], first[1]);
    }
  }
  // The core graph: direct core–core edges plus one edge per chain between distinct ends.
  g.core_count_ = core_count;
  g.chains_.reserve(raw_chains.size() + 1);
  for (const auto& rc : raw_chains) {
    Chain c{rc.a, rc.b, rc.first, 0.0f};
    double len = 0;
    uint32_t prev = rc.a;
    const uint32_t end =
        g.chains_.size() + 1 < raw_chains.size() ? raw_chains[g.chains_.size() + 1].first : n;
    for (uint32_t v = rc.first; v < end; ++v) {
      len += g.step_length(v, prev);
      prev = v;
    }
    len += g.step_length(rc.b, prev);
    c.length_m = static_cast<float>(len);
    g.chains_.push_back(c);
  }
  g.chains_.push_back({0, 0, static_cast<uint32_t>(n), 0.0f});  // sentinel: end of the last chain
  std::vector<RawChain>().swap(raw_chains);
  g.core_offsets_.assign(core_count + 1, 0);
  auto each_core_edge = [&](auto&& emit) {
    for (const auto& e : edges)
      if (e.b < core_count) emit(e.a, e.b, e.len);
    for (size_t c = 0; c + 1 < g.chains_.size(); ++c)
      if (g.chains_[c].a != g.chains_[c].b)
        emit(g.chains_[c].a, g.chains_[c].b, g.chains_[c].length_m);
  };
  each_core_edge([&](uint32_t a, uint32_t b, float) {
    ++g.core_offsets_[a + 1];
    ++g.core_offsets_[b + 1];
  });
  std::partial_sum(g.core_offsets_.begin(), g.core_offsets_.end(), g.core_offsets_.begin());
  g.core_arcs_.resize(g.core_offsets_.back());
  {
    std::vector<uint32_t> cfill(g.core_offsets_.begin(), g.core_offsets_.end() - 1);
    each_core_edge([&](uint32_t a, uint32_t b, float len) {
      g.core_arcs_[cfill[a]++] = {b, len};
      g.core_arcs_[cfill[b]++] = {a, len};
    });
  }
  edges.clear();
  edges.shrink_to_fit();

  g.by_osm_id_.resize(n);
  std::iota(g.by_osm_id_.begin(), g.by_osm_id_.end(), 0u);
  std::sort(g.by_osm_id_.begin(), g.by_osm_id_.end(),
            [&](uint32_t x, uint32_t y) { return g.osm_ids_[x] < g.osm_ids_[y]; });
  for (size_t i = 1; i < n; ++i)
    if (g.osm_ids_[g.by_osm_id_[i]] == g.osm_ids_[g.by_osm_id_[i - 1]])
      return make_error(ErrorCode::kInvalidInput,
                        "node " + std::to_string(g.osm_ids_[g.by_osm_id_[i]]) + " appears twice");
  g.build_snap_index();
  return g;
}

uint32_t WalkGraph::arc_source(uint32_t arc) const {
  return static_cast<uint32_t>(std::upper_bound(offsets_.begin(), offsets_.end(), arc) -
                               offsets_.begin() - 1);
}

double WalkGraph::step_length(uint32_t v, uint32_t neighbour) const {
  for (const auto& a : arcs(v))
    if (a.to == neighbour) return a.length_m;
  return 0;  // not reached: chain neighbours are adjacent by construction
}

uint32_t WalkGraph::chain_of(uint32_t v) const {
  auto it = std::upper_bound(chains_.begin(), chains_.end(), v,
                             [](uint32_t x, const Chain& c) { return x < c.first; });
  return static_cast<uint32_t>(it - chains_.begin() - 1);
}

int64_t WalkGraph::find(int64_t osm_id) const {
  auto it = std::lower_bound(by_osm_id_.begin(), by_osm_id_.end(), osm_id,
                             [&](uint32_t v, int64_t id) { return osm_ids_[v] < id; });
  if (it == by_osm_id_.end() || osm_ids_[*it] != osm_id) return -1;
  return *it;
}

namespace {
uint64_t cell_key(int64_t cx, int64_t cy) {
  return (static_cast<uint64_t>(cx + (1ll << 31)) << 32) | static_cast<uint64_t>(cy + (1ll << 31));
}
}  // namespace

void WalkGraph::build_snap_index() {
  // Local equirectangular projection around the mean latitude: metres are good to well under
  // 1 % across a city, enough to choose the nearest edge and the fraction along it.
  double slat = 0, slon = 0;
  for (const auto& c : coords_) {
    slat += c.lat;
    slon += c.lon;
  }
  lat0_ = slat / coords_.size();
  lon0_ = slon / coords_.size();
  my_ = kEarthRadiusM * M_PI / 180.0;
  mx_ = my_ * std::cos(lat0_ * M_PI / 180.0);
  // Two passes (count, then fill) so the index is allocated once at its exact size.
  // Each undirected edge is indexed once, by its arc from the lower node index.
  auto for_each_cell = [&](auto&& emit) {
    for (uint32_t u = 0; u < node_count(); ++u) {
      for (uint32_t k = offsets_[u]; k < offsets_[u + 1]; ++k) {
        if (arcs_[k].to < u) continue;
        const auto& a = coords_[u];
        const auto& b = coords_[arcs_[k].to];
        double ax = (a.lon - lon0_) * mx_, ay = (a.lat - lat0_) * my_;
        double bx = (b.lon - lon0_) * mx_, by = (b.lat - lat0_) * my_;
        auto x0 = static_cast<int64_t>(std::floor(std::min(ax, bx) / cell_m_));
        auto x1 = static_cast<int64_t>(std::floor(std::max(ax, bx) / cell_m_));
        auto y0 = static_cast<int64_t>(std::floor(std::min(ay, by) / cell_m_));
        auto y1 = static_cast<int64_t>(std::floor(std::max(ay, by) / cell_m_));
        for (int64_t x = x0; x <= x1; ++x)
          for (int64_t y = y0; y <= y1; ++y) emit(cell_key(x, y), k);
      }
    }
  };
  size_t count = 0;
  for_each_cell([&](uint64_t, uint32_t) { ++count; });
  std::vector<std::pair<uint64_t, uint32_t>> pairs;
  pairs.reserve(count);
  for_each_cell([&](uint64_t key, uint32_t e) { pairs.emplace_back(key, e); });
  std::sort(pairs.begin(), pairs.end());
  // Kept compressed (CSR by cell): a third of the pairs' size while searches run.
  cell_keys_.clear();
  cell_start_.clear();
  cell_edges_.resize(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i == 0 || pairs[i].first != pairs[i - 1].first) {
      cell_keys_.push_back(pairs[i].first);
      cell_start_.push_back(static_cast<uint32_t>(i));
    }
    cell_edges_[i] = pairs[i].second;
  }
  cell_start_.push_back(static_cast<uint32_t>(pairs.size()));
  cell_keys_.shrink_to_fit();
  cell_start_.shrink_to_fit();
}

Anchor WalkGraph::snap(GeoPoint p, double max_m, int64_t network_node) const {
  Anchor out;
  if (network_node >= 0) {
    int64_t v = find(network_node);
    if (v >= 0) {
      out.seeds[0] = {static_cast<uint32_t>(v), 0.0};
      out.count = 1;
      return out;
    }
  }
  const double px = (p.lon - lon0_) * mx_, py = (p.lat - lat0_) * my_;
  const auto cx = static_cast<int64_t>(std::floor(px / cell_m_));
  const auto cy = static_cast<int64_t>(std::floor(py / cell_m_));
  double best = std::numeric_limits<double>::infinity(), best_t = 0;
  uint32_t best_e = 0;
  auto consider = [&](int64_t x, int64_t y) {
    uint64_t key = cell_key(x, y);
    auto ki = std::lower_bound(cell_keys_.begin(), cell_keys_.end(), key);
    if (ki == cell_keys_.end() || *ki != key) return;
    const size_t cell = ki - cell_keys_.begin();
    for (uint32_t j = cell_start_[cell]; j < cell_start_[cell + 1]; ++j) {
      const uint32_t edge = cell_edges_[j];  // an arc index
      const auto& a = coords_[arc_source(edge)];
      const auto& b = coords_[arcs_[edge].to];
      double ax = (a.lon - lon0_) * mx_, ay = (a.lat - lat0_) * my_;
      double bx = (b.lon - lon0_) * mx_, by = (b.lat - lat0_) * my_;
      double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
      double t = l2 > 0 ? std::clamp(((px - ax) * dx + (py - ay) * dy) / l2, 0.0, 1.0) : 0.0;
      double qx = ax + t * dx - px, qy = ay + t * dy - py;
      double d = std::sqrt(qx * qx + qy * qy);
      if (d < best || (d == best && edge < best_e)) {
        best = d;
        best_t = t;
        best_e = edge;
      }
    }
  };
  const auto rings = static_cast<int64_t>(std::ceil(max_m / cell_m_)) + 1;
  for (int64_t r = 0; r <= rings; ++r) {
    if (r == 0) {
      consider(cx, cy);
    } else {
      for (int64_t x = cx - r; x <= cx + r; ++x) {
        consider(x, cy - r);
        consider(x, cy + r);
      }
      for (int64_t y = cy - r + 1; y <= cy + r - 1; ++y) {
        consider(cx - r, y);
        consider(cx + r, y);
      }
    }
    // Every edge not yet seen lies in ring r+1 or beyond, at least r cells away.
    if (best <= r * cell_m_) break;
  }
  if (best > max_m) return out;
  const uint32_t a = arc_source(best_e), b = arcs_[best_e].to;
  const auto& ca = coords_[a];
  const auto& cb = coords_[b];
  // Walking offsets along the edge use its network length (haversine), split at t.
  const double len = great_circle_m(ca.lat, ca.lon, cb.lat, cb.lon);
  out.snap_distance_m = best;
  if (best_t <= 0) {
    out.seeds[0] = {a, 0.0};
    out.count = 1;
  } else if (best_t >= 1) {
    out.seeds[0] = {b, 0.0};
    out.count = 1;
  } else {
    out.seeds[0] = {a, best_t * len};
    out.seeds[1] = {b, (1 - best_t) * len};
    out.count = 2;
  }
  return out;
}

size_t WalkGraph::memory_bytes() const {
  return osm_ids_.capacity() * 8 + coords_.capacity() * 16 + offsets_.capacity() * 4 +
         arcs_.capacity() * 8 + by_osm_id_.capacity() * 4 + cell_keys_.capacity() * 8 +
         cell_start_.capacity() * 4 + cell_edges_.capacity() * 4 + core_offsets_.capacity() * 4 +
         core_arcs_.capacity() * 8 + chains_.capacity() * sizeof(Chain);
}

std::vector<TypeSeeds> place_facilities(const WalkGraph& graph,
                                        std::span<const Facility> facilities,
                                        std::span<const std::string> types, double max_snap_m) {
  std::vector<TypeSeeds> out(types.size());
  for (size_t t = 0; t < types.size(); ++t) out[t].type = types[t];
  for (const auto& f : facilities) {
    auto it = std::find(types.begin(), types.end(), f.type);
    if (it == types.end()) continue;
    auto& ts = out[it - types.begin()];
    ++ts.facilities;
    Anchor a = graph.snap(f.point, max_snap_m, f.network_node);
    if (!a.placed()) continue;
    ++ts.placed;
    for (int i = 0; i < a.count; ++i) ts.seeds.push_back(a.seeds[i]);
  }
  return out;
}

}  // namespace gj::access
