#include "domain/requests/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace gj::requests {

using namespace std::chrono;

std::string period_key(TimePoint t, Granularity g) {
  sys_days d = floor<days>(t + minutes(kChinaUtcOffsetMinutes));
  year_month_day ymd{d};
  char buf[24];
  switch (g) {
    case Granularity::kDay:
      std::snprintf(buf, sizeof buf, "D%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
                    unsigned(ymd.day()));
      break;
    case Granularity::kMonth:
      std::snprintf(buf, sizeof buf, "M%04d-%02u", int(ymd.year()), unsigned(ymd.month()));
      break;
    case Granularity::kYear:
      std::snprintf(buf, sizeof buf, "Y%04d", int(ymd.year()));
      break;
  }
  return buf;
}

std::vector<MetricDefinition> default_metrics(bool fairly_counts_as_satisfied) {
  using D = Direction;
  std::vector<std::string> sat = {std::string(part::kSatisfied)};
  if (fairly_counts_as_satisfied) sat.emplace_back(part::kFairlySatisfied);
  auto p = [](std::string_view s) { return std::string(s); };
  return {
      {"response_rate",
       "响应率",
       "Response rate",
       {p(part::kResponded)},
       {p(part::kAssignments)},
       100,
       D::kHigherIsBetter},
      {"resolution_rate",
       "解决率",
       "Resolution rate",
       {p(part::kResolved)},
       {p(part::kCallbacks)},
       100,
       D::kHigherIsBetter},
      {"satisfaction_rate",
       "满意率",
       "Satisfaction rate",
       sat,
       {p(part::kRatings)},
       100,
       D::kHigherIsBetter},
      {"dissatisfaction_rate",
       "不满意率",
       "Dissatisfaction rate",
       {p(part::kUnsatisfied)},
       {p(part::kRatings)},
       100,
       D::kLowerIsBetter},
      {"on_time_rate",
       "按时办结率",
       "On-time completion rate",
       {p(part::kCompletedOnTime)},
       {p(part::kCompleted)},
       100,
       D::kHigherIsBetter},
      {"avg_handling_hours",
       "平均办理时长（小时）",
       "Average handling time (hours)",
       {p(part::kHandlingMinutes)},
       {p(part::kCompleted)},
       1.0 / 60.0,
       D::kLowerIsBetter},
      {"return_rate",
       "退单率",
       "Return rate",
       {p(part::kReturned)},
       {p(part::kAssignments)},
       100,
       D::kLowerIsBetter},
      {"reopen_rate",
       "重办率",
       "Reopen rate",
       {p(part::kReopened)},
       {p(part::kCompleted)},
       100,
       D::kLowerIsBetter},
      {"overdue_rate",
       "超期率",
       "Overdue rate",
       {p(part::kOverdue)},
       {p(part::kAssignments)},
       100,
       D::kLowerIsBetter},
      {"whistle_rate",
       "吹哨率",
       "Whistle rate",
       {p(part::kWhistled)},
       {p(part::kTownshipHandled)},
       100,
       D::kNone},
  };
}

MetricValue compute(const MetricDefinition& def, const Counters& c) {
  MetricValue v;
  auto sum = [&](const std::vector<std::string>& parts) {
    int64_t s = 0;
    for (const auto& p : parts)
      if (auto it = c.find(p); it != c.end()) s += it->second;
    return s;
  };
  v.numerator = sum(def.numerator);
  v.denominator = sum(def.denominator);
  if (v.denominator > 0) v.value = double(v.numerator) / double(v.denominator) * def.factor;
  return v;
}

void MetricModel::add(std::vector<CounterDelta>& out, const UnitRef& unit,
                      const HierarchyView& view, TimePoint at, std::string_view p,
                      int64_t n) const {
  if (n == 0) return;
  const std::vector<std::string> areas = area_codes(view, unit);
  for (Granularity g : granularities_) {
    std::string period = period_key(at, g);
    out.push_back({{"unit", unit.id, period, std::string(p)}, n});
    for (const auto& a : areas) out.push_back({{"area", a, period, std::string(p)}, n});
  }
}

std::vector<CounterDelta> MetricModel::deltas(const Transition& t,
                                              const HierarchyView& view) const {
  std::vector<CounterDelta> out;
  switch (t.action) {
    case Action::kDispatch:
      if (t.assignment) add(out, t.assignment->to, view, t.at, part::kAssignments, 1);
      break;
    case Action::kClaim: {
      const UnitRef* h = t.after.holder();
      if (!h) break;
      if (t.from == RequestStatus::kDispatched) {
        if (t.after.responded_on_time) add(out, *h, view, t.at, part::kResponded, 1);
      }
      if (h->type == kUnitTownshipPlatform) add(out, *h, view, t.at, part::kTownshipHandled, 1);
      break;
    }
    case Action::kReturn:
      if (t.assignment && t.assignment->from)
        add(out, *t.assignment->from, view, t.at, part::kReturned, 1);
      break;
    case Action::kEscalate:
      if (t.assignment && t.assignment->from)
        add(out, *t.assignment->from, view, t.at, part::kEscalated, 1);
      break;
    case Action::kWhistle:
      if (const UnitRef* h = t.after.holder()) add(out, *h, view, t.at, part::kWhistled, 1);
      break;
    case Action::kComplete:
      if (t.after.handled_by) {
        const UnitRef& u = *t.after.handled_by;
        add(out, u, view, t.at, part::kCompleted, 1);
        if (t.after.replied_on_time) add(out, u, view, t.at, part::kCompletedOnTime, 1);
        auto mins = duration_cast<minutes>(t.at - t.after.received_at).count();
        add(out, u, view, t.at, part::kHandlingMinutes, std::max<int64_t>(0, mins));
      }
      break;
    case Action::kRate:
      if (t.after.handled_by && t.after.rating && t.after.resolved) {
        const UnitRef& u = *t.after.handled_by;
        add(out, u, view, t.at, part::kCallbacks, 1);
        if (*t.after.resolved) add(out, u, view, t.at, part::kResolved, 1);
        add(out, u, view, t.at, part::kRatings, 1);
        std::string_view rp = *t.after.rating == Rating::kSatisfied         ? part::kSatisfied
                              : *t.after.rating == Rating::kFairlySatisfied ? part::kFairlySatisfied
                                                                            : part::kUnsatisfied;
        add(out, u, view, t.at, rp, 1);
      }
      break;
    case Action::kReopen:
      // The handler is cleared on reopen only in the rating; handled_by stays for attribution.
      if (t.after.handled_by) add(out, *t.after.handled_by, view, t.at, part::kReopened, 1);
      break;
    default:
      break;
  }
  return out;
}

std::vector<CounterDelta> MetricModel::deltas(const DeadlineEvent& e,
                                              const HierarchyView& view) const {
  std::vector<CounterDelta> out;
  if (e.kind == DeadlineEventKind::kOverdue) add(out, e.unit, view, e.fired_at, part::kOverdue, 1);
  return out;
}

std::vector<std::string> area_codes(const HierarchyView& view, const UnitRef& unit) {
  std::vector<std::string> out;
  std::string code = unit.division_code;
  for (int guard = 0; !code.empty() && guard < 10; ++guard) {
    auto d = view.division(code);
    if (!d) break;
    out.push_back(d->code);
    code = d->parent_code;
  }
  return out;
}

void CounterTable::apply(const std::vector<CounterDelta>& deltas) {
  for (const auto& d : deltas) rows_[d.key] += d.delta;
}

Counters CounterTable::get(std::string_view scope, std::string_view id,
                           std::string_view period) const {
  Counters c;
  CounterKey lo{std::string(scope), std::string(id), std::string(period), ""};
  for (auto it = rows_.lower_bound(lo); it != rows_.end(); ++it) {
    const CounterKey& k = it->first;
    if (k.scope != scope || k.id != id || k.period != period) break;
    c[k.part] = it->second;
  }
  return c;
}

std::vector<RankRow> rank_units(const MetricDefinition& def,
                                const std::vector<std::pair<std::string, Counters>>& units,
                                int64_t min_denominator) {
  std::vector<RankRow> ranked, unranked;
  for (const auto& [id, c] : units) {
    RankRow r{id, compute(def, c), 0};
    (r.value.value && r.value.denominator >= min_denominator ? ranked : unranked).push_back(r);
  }
  bool higher = def.direction != Direction::kLowerIsBetter;
  std::sort(ranked.begin(), ranked.end(), [&](const RankRow& a, const RankRow& b) {
    if (*a.value.value != *b.value.value)
      return higher ? *a.value.value > *b.value.value : *a.value.value < *b.value.value;
    return a.id < b.id;
  });
  for (size_t i = 0; i < ranked.size(); ++i) {
    bool tie = i > 0 && *ranked[i].value.value == *ranked[i - 1].value.value;
    ranked[i].rank = tie ? ranked[i - 1].rank : static_cast<int>(i + 1);
  }
  std::sort(unranked.begin(), unranked.end(),
            [](const RankRow& a, const RankRow& b) { return a.id < b.id; });
  ranked.insert(ranked.end(), unranked.begin(), unranked.end());
  return ranked;
}

// ---------------------------------------------------------------- hot issues

namespace {

struct Cluster {
  TextProfile profile;  // summed counts of the members
  std::vector<size_t> members;
  double lat_sum = 0, lon_sum = 0;
  int located = 0;
  std::optional<GeoPoint> centre() const {
    if (!located) return std::nullopt;
    return GeoPoint{lat_sum / located, lon_sum / located};
  }
};

void merge_profile(TextProfile& into, const TextProfile& add) {
  std::vector<std::pair<uint64_t, uint32_t>> out;
  out.reserve(into.grams.size() + add.grams.size());
  size_t i = 0, j = 0;
  while (i < into.grams.size() || j < add.grams.size()) {
    if (j == add.grams.size() ||
        (i < into.grams.size() && into.grams[i].first < add.grams[j].first)) {
      out.push_back(into.grams[i++]);
    } else if (i == into.grams.size() || add.grams[j].first < into.grams[i].first) {
      out.push_back(add.grams[j++]);
    } else {
      out.emplace_back(into.grams[i].first, into.grams[i].second + add.grams[j].second);
      ++i;
      ++j;
    }
  }
  double sq = 0;
  for (const auto& g : out) sq += double(g.second) * g.second;
  into.grams = std::move(out);
  into.norm = std::sqrt(sq);
}

std::string cut_chars(const std::string& s, size_t n) {
  size_t chars = 0, i = 0;
  while (i < s.size()) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == n) return s.substr(0, i) + "…";
      ++chars;
    }
    ++i;
  }
  return s;
}

}  // namespace

std::vector<HotIssue> cluster_hot_issues(const std::vector<RequestSummary>& requests,
                                         TimePoint previous_start, TimePoint current_start,
                                         TimePoint current_end, const HotIssueOptions& options) {
  std::vector<size_t> order;
  for (size_t i = 0; i < requests.size(); ++i)
    if (requests[i].received_at >= previous_start && requests[i].received_at < current_end)
      order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].received_at != requests[b].received_at)
      return requests[a].received_at < requests[b].received_at;
    return requests[a].id < requests[b].id;
  });
  std::vector<Cluster> clusters;
  // Inverted index bigram → clusters. A request is compared (exact cosine) only with the
  // clusters that share the most of its less common bigrams: bigrams found in very many
  // clusters ("小区", "我们") say little about which issue it is and would make the pass
  // quadratic on long message texts.
  constexpr size_t kCommonPosting = 32;  // a bigram in more clusters than this is "common"
  constexpr size_t kCandidates = 12;     // exact comparisons per request
  std::unordered_map<uint64_t, std::vector<size_t>> index;
  std::vector<uint32_t> hits;
  std::vector<size_t> touched;
  for (size_t idx : order) {
    const RequestSummary& r = requests[idx];
    TextProfile p = make_profile(r.text);
    if (p.empty()) continue;
    hits.resize(clusters.size(), 0);
    touched.clear();
    for (const auto& g : p.grams) {
      auto it = index.find(g.first);
      if (it == index.end() || it->second.size() > kCommonPosting) continue;
      for (size_t c : it->second)
        if (hits[c]++ == 0) touched.push_back(c);
    }
    // Most shared bigrams first; ties by cluster age, so the pass is deterministic.
    auto more_shared = [&](size_t a, size_t b) {
      return hits[a] != hits[b] ? hits[a] > hits[b] : a < b;
    };
    size_t keep = std::min(touched.size(), kCandidates);
    if (touched.size() > keep)
      std::nth_element(touched.begin(), touched.begin() + keep, touched.end(), more_shared);
    std::sort(touched.begin(), touched.begin() + keep, more_shared);
    for (size_t c : touched) hits[c] = 0;
    touched.resize(keep);
    size_t best = clusters.size();
    double best_sim = options.min_similarity;
    for (size_t c : touched) {
      const Cluster& cl = clusters[c];
      if (r.location && cl.located && haversine_m(*r.location, *cl.centre()) > options.radius_m)
        continue;
      double s = cosine_similarity(p, cl.profile);
      if (s > best_sim || (s == best_sim && best == clusters.size())) {
        best = c;
        best_sim = s;
      }
    }
    if (best == clusters.size()) clusters.emplace_back();
    Cluster& cl = clusters[best];
    // Index the bigrams this member brings to the cluster (checked before the merge).
    auto has_key = [&](uint64_t k) {
      auto it = std::lower_bound(cl.profile.grams.begin(), cl.profile.grams.end(), k,
                                 [](const auto& g, uint64_t key) { return g.first < key; });
      return it != cl.profile.grams.end() && it->first == k;
    };
    for (const auto& g : p.grams)
      if (!has_key(g.first)) index[g.first].push_back(best);
    merge_profile(cl.profile, p);
    cl.members.push_back(idx);
    if (r.location) {
      cl.lat_sum += r.location->lat;
      cl.lon_sum += r.location->lon;
      ++cl.located;
    }
  }

  std::vector<HotIssue> out;
  for (const Cluster& cl : clusters) {
    HotIssue h;
    std::map<std::string, int> cats;
    for (size_t m : cl.members) {
      const RequestSummary& r = requests[m];
      (r.received_at >= current_start ? h.count_current : h.count_previous) += 1;
      h.request_ids.push_back(r.id);
      cats[r.category] += 1;
    }
    if (h.count_current < static_cast<int64_t>(options.min_count)) continue;
    h.label = cut_chars(requests[cl.members.front()].text, 40);
    int best = -1;
    for (const auto& [c, n] : cats)
      if (n > best) {
        best = n;
        h.category = c;
      }
    h.centre = cl.centre();
    h.trend = h.count_current - h.count_previous;
    h.trend_code = h.count_previous == 0 ? "new"
                   : h.trend > 0         ? "rising"
                   : h.trend < 0         ? "falling"
                                         : "steady";
    out.push_back(std::move(h));
  }
  std::sort(out.begin(), out.end(), [](const HotIssue& a, const HotIssue& b) {
    if (a.count_current != b.count_current) return a.count_current > b.count_current;
    if (a.trend != b.trend) return a.trend > b.trend;
    return a.request_ids.front() < b.request_ids.front();
  });
  if (out.size() > options.max_results) out.resize(options.max_results);
  return out;
}

}  // namespace gj::requests
