// Duplicate suggestions at intake 重复诉求: similar open requests nearby and recent. After
// FixMyStreet (per-category radius, originally 50 m): the store preselects open requests in
// the bounding box and time window; this ranks them and says why.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/requests/similarity.hpp"
#include "domain/requests/status.hpp"
#include "domain/requests/types.hpp"

namespace gj::requests {

struct RequestSummary {
  std::string id;
  std::string category;
  std::string text;  // subject + description
  std::optional<GeoPoint> location;
  std::string grid_code;
  TimePoint received_at{};
  RequestStatus status = RequestStatus::kReceived;
};

enum class CategoryMatch { kAny, kSameTopLevel, kExact };

struct DuplicateOptions {
  double default_radius_m = 50;
  // Per-category radius, most specific path prefix wins ("市政设施" 100 m, "环境保护/噪声" 300 m).
  std::map<std::string, double> radius_by_category;
  std::chrono::hours window{24 * 30};
  double min_text_similarity = 0.3;
  // Without any place in common (no points, different or unknown grids) only near-identical
  // texts are suggested (cross-channel copies of one complaint).
  double min_text_similarity_unplaced = 0.7;
  CategoryMatch category_match = CategoryMatch::kSameTopLevel;
  size_t max_results = 5;
  double radius_for(std::string_view category) const;
};

struct DuplicateCandidate {
  std::string id;
  double score = 0;  // 0..1: 0.6 text + 0.25 place + 0.1 recency + 0.05 same exact category
  double text_similarity = 0;
  std::optional<double> distance_m;
  double age_hours = 0;
  std::vector<std::string> reasons_zh, reasons_en;
};

// Lat/lon box around a point, for the store's preselection query.
struct GeoBox {
  double min_lat, min_lon, max_lat, max_lon;
};
GeoBox bounding_box(const GeoPoint& centre, double radius_m);

class DuplicateFinder {
 public:
  explicit DuplicateFinder(DuplicateOptions options = {}) : options_(std::move(options)) {}
  // Ranked best first (score, then id); open requests only, never the probe itself.
  std::vector<DuplicateCandidate> find(const RequestSummary& probe,
                                       const std::vector<RequestSummary>& candidates,
                                       TimePoint now) const;
  const DuplicateOptions& options() const { return options_; }

 private:
  DuplicateOptions options_;
};

}  // namespace gj::requests
