// Metrics 考核指标 per unit, area and period (domain.md §1, §7): each metric is data
// (numerator parts / denominator parts × factor, DHIS2 style) over counters that are kept
// incrementally: every persisted transition maps to counter deltas per (scope, id, period,
// part), which the store adds with `UPDATE … SET value = value + ?` in the same transaction as
// the event. Additions commute, so concurrent writers never lose counts and a view reads a
// handful of rows instead of scanning the history.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "domain/requests/duplicates.hpp"
#include "domain/requests/lifecycle.hpp"
#include "domain/requests/router.hpp"
#include "domain/requests/sla.hpp"

namespace gj::requests {

// Counter parts (the atoms metrics are built from).
namespace part {
inline constexpr std::string_view kAssignments = "assignments";  // dispatched to the unit
inline constexpr std::string_view kResponded = "responded";      // claimed + contacted in time
inline constexpr std::string_view kReturned = "returned";
inline constexpr std::string_view kEscalated = "escalated";
inline constexpr std::string_view kOverdue = "overdue";  // breached at the top of the chain
inline constexpr std::string_view kTownshipHandled = "township_handled";
inline constexpr std::string_view kWhistled = "whistled";
inline constexpr std::string_view kCompleted = "completed";
inline constexpr std::string_view kCompletedOnTime = "completed_on_time";
inline constexpr std::string_view kHandlingMinutes = "handling_minutes";  // Σ(completed − received)
inline constexpr std::string_view kReopened = "reopened";
inline constexpr std::string_view kCallbacks = "callbacks";  // completed callbacks (with a rating)
inline constexpr std::string_view kResolved = "resolved";
inline constexpr std::string_view kRatings = "ratings";
inline constexpr std::string_view kSatisfied = "satisfied";
inline constexpr std::string_view kFairlySatisfied = "fairly_satisfied";
inline constexpr std::string_view kUnsatisfied = "unsatisfied";
}  // namespace part

enum class Granularity { kDay, kMonth, kYear };
// Local (UTC+8) period keys: "D2026-11-28", "M2026-11", "Y2026".
std::string period_key(TimePoint t, Granularity g);

enum class Direction { kHigherIsBetter, kLowerIsBetter, kNone /* e.g. whistle rate */ };

struct MetricDefinition {
  std::string code, name_zh, name_en;
  std::vector<std::string> numerator, denominator;  // summed parts
  double factor = 100;                              // 100 for percentages
  Direction direction = Direction::kHigherIsBetter;
};
// domain.md §1 definitions. `fairly_counts_as_satisfied`: 满意率 counts 基本满意 (configurable).
std::vector<MetricDefinition> default_metrics(bool fairly_counts_as_satisfied = true);

struct CounterKey {
  std::string scope;  // "unit" | "area"
  std::string id;     // unit id or division code
  std::string period;
  std::string part;
  auto operator<=>(const CounterKey&) const = default;
};
struct CounterDelta {
  CounterKey key;
  int64_t delta = 0;
};

// Parts summed for one (scope, id, period).
using Counters = std::map<std::string, int64_t, std::less<>>;

struct MetricValue {
  int64_t numerator = 0, denominator = 0;
  std::optional<double> value;  // empty when the denominator is 0 (no data, not 0 %)
};
MetricValue compute(const MetricDefinition& def, const Counters& c);

// Event → counter deltas.
class MetricModel {
 public:
  explicit MetricModel(std::vector<Granularity> granularities = {Granularity::kMonth,
                                                                 Granularity::kYear})
      : granularities_(std::move(granularities)) {}
  // Each delta is attributed to the unit it concerns (the receiver of a dispatch, the unit that
  // returned or escalated, the unit that replied for completion, ratings and reopens) and to
  // every area that unit counts under (its division and each ancestor, from `view`), so
  // drill-down by township or village reads area rows instead of summing units.
  std::vector<CounterDelta> deltas(const Transition& t, const HierarchyView& view) const;
  std::vector<CounterDelta> deltas(const DeadlineEvent& e, const HierarchyView& view) const;

 private:
  void add(std::vector<CounterDelta>& out, const UnitRef& unit, const HierarchyView& view,
           TimePoint at, std::string_view part, int64_t n) const;
  std::vector<Granularity> granularities_;
};

// The areas a unit counts under, from the hierarchy (division, parent, … up to the root).
std::vector<std::string> area_codes(const HierarchyView& view, const UnitRef& unit);

// An in-memory counter table (what the store keeps as rows); used by tests and batch tools.
class CounterTable {
 public:
  void apply(const std::vector<CounterDelta>& deltas);
  Counters get(std::string_view scope, std::string_view id, std::string_view period) const;
  size_t size() const { return rows_.size(); }

 private:
  std::map<CounterKey, int64_t> rows_;
};

struct RankRow {
  std::string id;
  MetricValue value;
  int rank = 0;  // competition ranking (1, 2, 2, 4); 0 = not ranked (too few cases or no data)
};
// Best first by the metric's direction, ties share a rank and are listed by id; units with a
// denominator below `min_denominator` are listed after the ranked ones with rank 0.
std::vector<RankRow> rank_units(const MetricDefinition& def,
                                const std::vector<std::pair<std::string, Counters>>& units,
                                int64_t min_denominator = 1);

// Hot issues 热点问题: greedy clustering of recent requests by text similarity and distance.
struct HotIssueOptions {
  double min_similarity = 0.35;  // cosine against the cluster's summed bigram profile
  double radius_m = 1000;        // when both the request and the cluster have a place
  size_t min_count = 2;          // clusters smaller than this in the current period are noise
  size_t max_results = 20;
};
struct HotIssue {
  std::string label;     // the first request's text, cut to 40 characters
  std::string category;  // the most frequent category (ties: lowest code)
  std::optional<GeoPoint> centre;
  std::vector<std::string> request_ids;
  int64_t count_current = 0, count_previous = 0;
  int64_t trend = 0;       // current − previous
  std::string trend_code;  // "new" | "rising" | "falling" | "steady"
};
// Requests received in [previous_start, current_end); the current period is
// [current_start, current_end), the previous one [previous_start, current_start).
std::vector<HotIssue> cluster_hot_issues(const std::vector<RequestSummary>& requests,
                                         TimePoint previous_start, TimePoint current_start,
                                         TimePoint current_end,
                                         const HotIssueOptions& options = {});

}  // namespace gj::requests
