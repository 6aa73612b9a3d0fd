// Routing decision latency with 100,000 grids 网格 (issue 3): a RequestRouter (R-tree over the
// grid boxes, then exact point in polygon, then the responsibility matrix and the chain unit)
// over synthetic grids, one decision per random point, against the baseline a naive
// implementation would use: a linear scan of point-in-polygon over every grid.
//
// usage: bench_router [--grids 100000] [--points 100000] [--baseline-points 200] [--rounds 3]
// Prints per-round percentiles and the medians over rounds; the ratio compares the medians (p50)
// per point: on a shared machine a preempted call inflates means and maxima, not medians.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "domain/requests/router.hpp"

using namespace gj::requests;
using Clock = std::chrono::steady_clock;

namespace {

int arg(int argc, char** argv, const std::string& name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (name == argv[i]) return std::atoi(argv[i + 1]);
  return fallback;
}

// County → 10 townships → villages → grids, indexed so lookups cost what a store-backed view
// with an index costs (a map lookup), not a scan.
class BenchHierarchy final : public HierarchyView {
 public:
  std::map<std::string, DivisionInfo, std::less<>> divisions;
  std::vector<GridShape> grids;
  std::map<std::pair<std::string, std::string>, UnitRef, std::less<>> units_by;

  std::optional<DivisionInfo> division(std::string_view code) const override {
    auto it = divisions.find(code);
    if (it == divisions.end()) return std::nullopt;
    return it->second;
  }
  std::vector<DivisionInfo> divisions_under(std::string_view code, Level level) const override {
    std::vector<DivisionInfo> out;
    for (const auto& [c, d] : divisions) {
      if (d.level != level) continue;
      if (d.parent_code == code)
        out.push_back(d);
      else if (auto p = divisions.find(d.parent_code);
               p != divisions.end() && p->second.parent_code == code)
        out.push_back(d);
    }
    return out;
  }
  std::vector<GridShape> grids_under(std::string_view) const override { return grids; }
  std::vector<UnitRef> units(std::string_view division_code,
                             std::string_view unit_type) const override {
    auto it = units_by.find(std::make_pair(std::string(division_code), std::string(unit_type)));
    if (it == units_by.end()) return {};
    return {it->second};
  }
  void add(std::string code, std::string name, std::string parent, Level level,
           std::string_view unit_type) {
    divisions[code] = DivisionInfo{code, name, parent, level};
    units_by[{code, std::string(unit_type)}] =
        UnitRef{code, std::string(unit_type), code, level, name};
  }
};

std::string code3(int n) {
  char b[8];
  std::snprintf(b, sizeof b, "%03d", n);
  return b;
}

// A jittered lattice: every grid is a quadrilateral whose corners are shared with its
// neighbours (so grids tile without gaps or overlaps), each edge split into 5 collinear
// segments so a polygon has 20 vertices, as drawn boundaries have more than 4.
struct Lattice {
  int nx, ny;
  double lat0 = 33.3, lon0 = 108.9, step = 0.002;
  std::vector<GeoPoint> corner;  // (nx+1) × (ny+1)
  Lattice(int nx_, int ny_, std::mt19937_64& rng) : nx(nx_), ny(ny_) {
    std::uniform_real_distribution<double> j(-0.3 * step, 0.3 * step);
    corner.resize(size_t(nx + 1) * (ny + 1));
    for (int y = 0; y <= ny; ++y)
      for (int x = 0; x <= nx; ++x) {
        bool border = x == 0 || y == 0 || x == nx || y == ny;
        at(x, y) = {lat0 + y * step + (border ? 0 : j(rng)),
                    lon0 + x * step + (border ? 0 : j(rng))};
      }
  }
  GeoPoint& at(int x, int y) { return corner[size_t(y) * (nx + 1) + x]; }
  std::vector<GeoPoint> cell(int x, int y) {
    GeoPoint c[4] = {at(x, y), at(x + 1, y), at(x + 1, y + 1), at(x, y + 1)};
    std::vector<GeoPoint> ring;
    for (int e = 0; e < 4; ++e) {
      const GeoPoint& a = c[e];
      const GeoPoint& b = c[(e + 1) % 4];
      for (int k = 0; k < 5; ++k)
        ring.push_back({a.lat + (b.lat - a.lat) * k / 5.0, a.lon + (b.lon - a.lon) * k / 5.0});
    }
    return ring;
  }
};

// Ray casting, boundary handling aside (random points almost never land on an edge).
bool inside(const std::vector<GeoPoint>& ring, const GeoPoint& p) {
  bool in = false;
  for (size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const GeoPoint& a = ring[i];
    const GeoPoint& b = ring[j];
    if ((a.lat > p.lat) != (b.lat > p.lat) &&
        p.lon < (b.lon - a.lon) * (p.lat - a.lat) / (b.lat - a.lat) + a.lon)
      in = !in;
  }
  return in;
}

double pct(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, size_t(std::ceil(q * v.size())) - 1);
  return v[i];
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int n_grids = arg(argc, argv, "--grids", 100000);
  int n_points = arg(argc, argv, "--points", 100000);
  int n_base = arg(argc, argv, "--baseline-points", 200);
  int rounds = arg(argc, argv, "--rounds", 3);
  std::mt19937_64 rng(42);

  // 10 townships × V villages × 100 grids per village; the lattice is as square as possible.
  int per_village = 100, townships = 10;
  int villages = std::max(1, n_grids / per_village / townships);
  n_grids = villages * townships * per_village;
  int nx = int(std::ceil(std::sqrt(double(n_grids))));
  int ny = (n_grids + nx - 1) / nx;
  Lattice lat(nx, ny, rng);

  auto t0 = Clock::now();
  BenchHierarchy h;
  const std::string county = "611026000000";
  h.divisions["611000000000"] = {"611000000000", "商洛市", "610000000000", Level::kPrefecture};
  h.add(county, "柞水县", "611000000000", Level::kCounty, kUnitCommandCentre);
  int g = 0;
  for (int t = 1; t <= townships; ++t) {
    std::string tc = county.substr(0, 6) + code3(t) + "000";
    h.add(tc, "镇" + std::to_string(t), county, Level::kTownship, kUnitTownshipPlatform);
    for (int v = 1; v <= villages; ++v) {
      std::string vc = tc.substr(0, 9) + code3(v);
      h.add(vc, "村" + std::to_string(t) + "-" + std::to_string(v), tc, Level::kVillage,
            kUnitVillageCommittee);
      for (int k = 1; k <= per_village; ++k, ++g) {
        std::string gc = vc + code3(k);
        std::string name = "网格" + std::to_string(g);
        h.add(gc, name, vc, Level::kGrid, kUnitGrid);
        h.grids.push_back(GridShape{gc, name, vc, {{lat.cell(g % nx, g / nx), {}}}});
      }
    }
  }
  ResponsibilityMatrix matrix("bench-1", {{"0106", "环境卫生", "Street cleaning"}}, {},
                              Responsibility{"", std::string(kUnitGrid), Level::kGrid, ""});
  auto router = RequestRouter::create(h, county, std::move(matrix));
  if (!router.ok()) {
    std::fprintf(stderr, "bench_router: %s\n", router.error().detail.c_str());
    return 1;
  }
  double build_s = std::chrono::duration<double>(Clock::now() - t0).count();

  // Random points inside the lattice's interior rows (every point lies in some grid).
  std::uniform_real_distribution<double> ulat(lat.lat0 + lat.step, lat.lat0 + (ny - 2) * lat.step);
  std::uniform_real_distribution<double> ulon(lat.lon0 + lat.step, lat.lon0 + (nx - 1) * lat.step);
  std::vector<double> p50s, p99s, maxs, means, base_means, base_p50s, base_p99s;
  long mismatches = 0, located = 0;
  for (int r = 0; r < rounds; ++r) {
    std::vector<GeoPoint> pts(n_points);
    for (auto& p : pts) p = {ulat(rng), ulon(rng)};
    std::vector<double> us(n_points);
    RouteInput in;
    in.category = "0106";
    for (int i = 0; i < n_points; ++i) {
      in.location = pts[i];
      auto s = Clock::now();
      auto d = router->route(in);
      us[i] = std::chrono::duration<double, std::micro>(Clock::now() - s).count();
      if (!d.ok()) {
        std::fprintf(stderr, "bench_router: route failed\n");
        return 1;
      }
      located += !d->grid_code.empty();
      // Cross-check a sample against the baseline's answer.
      if (i < n_base && i % 10 == 0) {
        std::string want;
        for (const auto& gs : h.grids)
          if (inside(gs.parts[0].outer, pts[i])) {
            want = gs.code;
            break;
          }
        if (want != d->grid_code) ++mismatches;
      }
    }
    double sum = 0;
    for (double x : us) sum += x;
    p50s.push_back(pct(us, 0.50));
    p99s.push_back(pct(us, 0.99));
    maxs.push_back(*std::max_element(us.begin(), us.end()));
    means.push_back(sum / n_points);

    // Baseline: linear scan, stop at the first grid that contains the point.
    std::vector<double> bus(n_base);
    size_t found = 0;
    for (int i = 0; i < n_base; ++i) {
      auto s = Clock::now();
      const GridShape* hit = nullptr;
      for (const auto& gs : h.grids)
        if (inside(gs.parts[0].outer, pts[i])) {
          hit = &gs;
          break;
        }
      bus[i] = std::chrono::duration<double, std::micro>(Clock::now() - s).count();
      found += hit != nullptr;
    }
    double bsum = 0;
    for (double x : bus) bsum += x;
    base_means.push_back(bsum / n_base);
    base_p50s.push_back(pct(bus, 0.50));
    base_p99s.push_back(pct(bus, 0.99));
    std::printf(
        "round %d: router p50 %.2f us, p99 %.2f us, max %.1f us, mean %.2f us; "
        "linear scan p50 %.1f us, mean %.1f us, p99 %.1f us (%zu/%d found)\n",
        r + 1, p50s.back(), p99s.back(), maxs.back(), means.back(), base_p50s.back(),
        base_means.back(), base_p99s.back(), found, n_base);
  }
  std::printf(
      "grids %d (20 vertices each), router build %.2f s, %d points x %d rounds, "
      "%ld/%ld located in a grid, %ld mismatches against the linear scan\n",
      n_grids, build_s, n_points, rounds, located, long(n_points) * rounds, mismatches);
  std::printf(
      "| grids | decisions | p50 (us) | p99 (us) | max (us) | mean (us) | linear scan p50 "
      "(us, %d points) | linear scan p99 (us) | ratio scan / router (p50) |\n"
      "|---|---|---|---|---|---|---|---|---|\n",
      n_base);
  std::printf("| %d | %d x %d | %.2f | %.2f | %.0f | %.2f | %.0f | %.0f | %.0fx |\n", n_grids,
              n_points, rounds, median(p50s), median(p99s), median(maxs), median(means),
              median(base_p50s), median(base_p99s), median(base_p50s) / median(p50s));
  return mismatches == 0 ? 0 : 1;
}
