#include "domain/requests/duplicates.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace gj::requests {
namespace {

std::string_view top_level(std::string_view c) {
  return c.substr(0, c.find('/'));
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

double DuplicateOptions::radius_for(std::string_view category) const {
  std::string_view c = category;
  while (!c.empty()) {
    if (auto it = radius_by_category.find(std::string(c)); it != radius_by_category.end())
      return it->second;
    size_t slash = c.rfind('/');
    if (slash == std::string_view::npos) break;
    c = c.substr(0, slash);
  }
  return default_radius_m;
}

GeoBox bounding_box(const GeoPoint& c, double radius_m) {
  constexpr double kMetresPerDegLat = 111320.0;
  double dlat = radius_m / kMetresPerDegLat;
  double coslat = std::max(0.01, std::cos(c.lat * std::numbers::pi / 180.0));
  double dlon = radius_m / (kMetresPerDegLat * coslat);
  return {c.lat - dlat, c.lon - dlon, c.lat + dlat, c.lon + dlon};
}

std::vector<DuplicateCandidate> DuplicateFinder::find(const RequestSummary& probe,
                                                      const std::vector<RequestSummary>& candidates,
                                                      TimePoint now) const {
  std::vector<DuplicateCandidate> out;
  const TextProfile pp = make_profile(probe.text);
  if (pp.empty()) return out;
  const double radius = options_.radius_for(probe.category);
  const double window_h = static_cast<double>(options_.window.count());
  for (const RequestSummary& c : candidates) {
    if (c.id == probe.id || !is_open(c.status)) continue;
    double age_h = std::chrono::duration<double, std::ratio<3600>>(now - c.received_at).count();
    if (age_h < 0) age_h = 0;
    if (age_h > window_h) continue;
    bool same_exact = c.category == probe.category;
    bool same_top = top_level(c.category) == top_level(probe.category);
    if (options_.category_match == CategoryMatch::kExact && !same_exact) continue;
    if (options_.category_match == CategoryMatch::kSameTopLevel && !same_top) continue;

    DuplicateCandidate d;
    d.id = c.id;
    d.age_hours = age_h;
    double place = 0;
    bool placed = false;
    if (probe.location && c.location) {
      double dist = haversine_m(*probe.location, *c.location);
      if (dist > radius) continue;
      d.distance_m = dist;
      place = 1.0 - dist / std::max(radius, 1.0);
      placed = true;
      d.reasons_zh.push_back(fmt("相距 %.0f 米", dist) + fmt("（半径 %.0f 米内）", radius));
      d.reasons_en.push_back(fmt("%.0f m apart", dist) + fmt(" (within %.0f m)", radius));
    } else if (!probe.grid_code.empty() && probe.grid_code == c.grid_code) {
      place = 0.5;
      placed = true;
      d.reasons_zh.push_back("同一网格 " + c.grid_code);
      d.reasons_en.push_back("same grid " + c.grid_code);
    }
    d.text_similarity = cosine_similarity(pp, make_profile(c.text));
    double need = placed ? options_.min_text_similarity : options_.min_text_similarity_unplaced;
    if (d.text_similarity < need) continue;
    d.reasons_zh.insert(d.reasons_zh.begin(), fmt("文本相似度 %.2f", d.text_similarity));
    d.reasons_en.insert(d.reasons_en.begin(), fmt("text similarity %.2f", d.text_similarity));
    if (same_exact) {
      d.reasons_zh.push_back("同一类别");
      d.reasons_en.push_back("same category");
    }
    d.reasons_zh.push_back(fmt("%.1f 小时前受理", age_h));
    d.reasons_en.push_back(fmt("received %.1f h ago", age_h));
    double recency = window_h > 0 ? 1.0 - age_h / window_h : 0;
    d.score = 0.6 * d.text_similarity + 0.25 * place + 0.1 * recency + (same_exact ? 0.05 : 0.0);
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.id < b.id;
  });
  if (out.size() > options_.max_results) out.resize(options_.max_results);
  return out;
}

}  // namespace gj::requests
