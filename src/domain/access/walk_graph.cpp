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
  WalkGraph g;
  g.osm_ids_ = std::move(src.node_ids);
  g.coords_ = std::move(src.node_coords);
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
  g.edges_.reserve(edges.size());
  for (const auto& e : edges) g.edges_.emplace_back(e.a, e.b);
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
  auto for_each_cell = [&](auto&& emit) {
    for (uint32_t e = 0; e < edges_.size(); ++e) {
      const auto& a = coords_[edges_[e].first];
      const auto& b = coords_[edges_[e].second];
      double ax = (a.lon - lon0_) * mx_, ay = (a.lat - lat0_) * my_;
      double bx = (b.lon - lon0_) * mx_, by = (b.lat - lat0_) * my_;
      auto x0 = static_cast<int64_t>(std::floor(std::min(ax, bx) / cell_m_));
      auto x1 = static_cast<int64_t>(std::floor(std::max(ax, bx) / cell_m_));
      auto y0 = static_cast<int64_t>(std::floor(std::min(ay, by) / cell_m_));
      auto y1 = static_cast<int64_t>(std::floor(std::max(ay, by) / cell_m_));
      for (int64_t x = x0; x <= x1; ++x)
        for (int64_t y = y0; y <= y1; ++y) emit(cell_key(x, y), e);
    }
  };
  size_t count = 0;
  for_each_cell([&](uint64_t, uint32_t) { ++count; });
  std::vector<std::pair<uint64_t, uint32_t>>().swap(cells_);
  cells_.reserve(count);
  for_each_cell([&](uint64_t key, uint32_t e) { cells_.emplace_back(key, e); });
  std::sort(cells_.begin(), cells_.end());
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
    auto it = std::lower_bound(cells_.begin(), cells_.end(), std::make_pair(key, 0u));
    for (; it != cells_.end() && it->first == key; ++it) {
      const auto& a = coords_[edges_[it->second].first];
      const auto& b = coords_[edges_[it->second].second];
      double ax = (a.lon - lon0_) * mx_, ay = (a.lat - lat0_) * my_;
      double bx = (b.lon - lon0_) * mx_, by = (b.lat - lat0_) * my_;
      double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
      double t = l2 > 0 ? std::clamp(((px - ax) * dx + (py - ay) * dy) / l2, 0.0, 1.0) : 0.0;
      double qx = ax + t * dx - px, qy = ay + t * dy - py;
      double d = std::sqrt(qx * qx + qy * qy);
      if (d < best || (d == best && it->second < best_e)) {
        best = d;
        best_t = t;
        best_e = it->second;
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
  const auto [a, b] = edges_[best_e];
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
         arcs_.capacity() * 8 + by_osm_id_.capacity() * 4 + cells_.capacity() * 16 +
         edges_.capacity() * 8;
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
