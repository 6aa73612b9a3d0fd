// Coverage 覆盖率 per unit and type, and the gap list 服务盲区, from node distances.
#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "domain/access/access.hpp"

namespace gj::access {

namespace {
struct Acc {
  size_t residences = 0;
  double households = 0;
  std::array<size_t, 3> res_within{};
  std::array<double, 3> hh_within{};
  size_t res_type = 0;
  double hh_type = 0;
  // Every residence's distance (kUnreached beyond the cutoff): the median is over all homes,
  // so a unit where most homes are out of reach does not show a reassuring short median.
  std::vector<float> distances;
};

double median(std::vector<float>& v) {
  if (v.empty()) return -1;
  size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + m, v.end());
  double hi = v[m];
  if (v.size() % 2 == 0)
    hi = (static_cast<double>(*std::max_element(v.begin(), v.begin() + m)) + hi) / 2;
  return std::isinf(hi) ? -1 : hi;  // -1: more than half of the homes are beyond the cutoff
}
}  // namespace

float anchor_distance(const Anchor& a, const std::vector<float>& node_dist, double cutoff) {
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < a.count; ++i) {
    float d = node_dist[a.seeds[i].node];
    if (d == kUnreached) continue;
    best = std::min(best, static_cast<double>(d) + a.seeds[i].offset_m);
  }
  return best <= cutoff ? static_cast<float>(best) : kUnreached;
}

Result<AccessReport> compute_coverage(const WalkGraph& graph, std::span<const Residence> residences,
                                      const NodeDistances& distances,
                                      const CoverageParams& params) {
  if (!(params.walk_speed_kmh > 0))
    return make_error(ErrorCode::kInvalidInput, "walking speed must be positive", "walk_speed");
  const double m_per_min = params.walk_speed_kmh * 1000.0 / 60.0;
  std::array<double, 3> reach{};
  for (int i = 0; i < 3; ++i) reach[i] = m_per_min * params.minutes[i];
  const size_t nt = distances.types.size();
  if (!params.type_minutes.empty() && params.type_minutes.size() != nt)
    return make_error(ErrorCode::kInvalidInput, "one cut-off per type", "type_minutes");
  std::vector<double> type_minutes(nt, params.minutes[2]), type_reach(nt);
  double longest = reach[2];
  for (size_t t = 0; t < nt; ++t) {
    if (!params.type_minutes.empty()) type_minutes[t] = params.type_minutes[t];
    if (!(type_minutes[t] > 0))
      return make_error(ErrorCode::kInvalidInput, "a type's minutes must be positive",
                        "type_minutes");
    type_reach[t] = m_per_min * type_minutes[t];
    longest = std::max(longest, type_reach[t]);
  }
  if (distances.cutoff_m + 1e-9 < longest)
    return make_error(ErrorCode::kInvalidInput,
                      "node distances were cut off at " + std::to_string(distances.cutoff_m) +
                          " m, short of the " + std::to_string(longest) + " m reach");
  AccessReport rep;
  rep.types = distances.types;
  rep.cutoff_m = distances.cutoff_m;
  rep.anchors.reserve(residences.size());
  rep.residence_dist_m.assign(residences.size() * nt, kUnreached);
  for (size_t r = 0; r < residences.size(); ++r) {
    Anchor a = graph.snap(residences[r].point, params.max_snap_m);
    if (!a.placed()) ++rep.residences_unplaced;
    for (size_t t = 0; t < nt; ++t)
      rep.residence_dist_m[r * nt + t] = anchor_distance(a, distances.dist_m[t], longest);
    rep.anchors.push_back(a);
  }

  // (level order, unit, type) → totals; level order keeps "all" first in the output.
  static const char* kLevels[] = {"all", "grid", "community", "street"};
  std::map<std::tuple<int, std::string, size_t>, Acc> acc;
  // Gap cells on a plane around the residences' mean latitude.
  double lat0 = 0;
  for (const auto& r : residences) lat0 += r.point.lat;
  lat0 = residences.empty() ? 0 : lat0 / residences.size();
  const double my = kEarthRadiusM * M_PI / 180.0, mx = my * std::cos(lat0 * M_PI / 180.0);
  std::map<std::tuple<size_t, int64_t, int64_t>, GapCell> gaps;

  for (size_t r = 0; r < residences.size(); ++r) {
    const auto& res = residences[r];
    const std::string* units[] = {nullptr, &res.grid, &res.community, &res.street};
    for (size_t t = 0; t < nt; ++t) {
      const float d = rep.residence_dist_m[r * nt + t];
      for (int l = 0; l < 4; ++l) {
        auto& a = acc[{l, units[l] ? *units[l] : std::string(), t}];
        ++a.residences;
        a.households += res.households;
        for (int i = 0; i < 3; ++i) {
          if (d <= reach[i]) {
            ++a.res_within[i];
            a.hh_within[i] += res.households;
          }
        }
        if (d <= type_reach[t]) {
          ++a.res_type;
          a.hh_type += res.households;
        }
        a.distances.push_back(d);
      }
      if (!(d <= type_reach[t])) {
        auto cx = static_cast<int64_t>(std::floor(res.point.lon * mx / params.gap_cell_m));
        auto cy = static_cast<int64_t>(std::floor(res.point.lat * my / params.gap_cell_m));
        auto& g = gaps[{t, cx, cy}];
        g.type = distances.types[t];
        g.cell_x = cx;
        g.cell_y = cy;
        g.centre = {(cy + 0.5) * params.gap_cell_m / my, (cx + 0.5) * params.gap_cell_m / mx};
        ++g.residences;
        g.households += res.households;
      }
    }
  }
  for (auto& [key, a] : acc) {
    CoverageRow row;
    row.level = kLevels[std::get<0>(key)];
    row.unit = std::get<1>(key);
    row.type = distances.types[std::get<2>(key)];
    row.residences = a.residences;
    row.households = a.households;
    row.residences_within = a.res_within;
    row.households_within = a.hh_within;
    row.median_distance_m = median(a.distances);
    row.type_minutes = type_minutes[std::get<2>(key)];
    row.residences_within_type = a.res_type;
    row.households_within_type = a.hh_type;
    rep.coverage.push_back(std::move(row));
  }
  for (auto& [key, g] : gaps) rep.gaps.push_back(g);
  std::stable_sort(rep.gaps.begin(), rep.gaps.end(),
                   [](const GapCell& x, const GapCell& y) { return x.households > y.households; });
  return rep;
}

}  // namespace gj::access
