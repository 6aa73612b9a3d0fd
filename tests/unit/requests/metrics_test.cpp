#include "domain/requests/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "common/clock.hpp"
#include "test_world.hpp"

namespace gj::requests {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;
using testing::find_unit;

TimePoint at(const std::string& iso) {
  int64_t ms = 0;
  EXPECT_TRUE(parse_iso8601(iso, ms)) << iso;
  return TimePoint(milliseconds(ms));
}

const MetricDefinition& metric(const std::vector<MetricDefinition>& defs, std::string_view code) {
  for (const auto& d : defs)
    if (d.code == code) return d;
  throw std::runtime_error("no metric " + std::string(code));
}

TEST(Periods, periods_are_local_china_days_months_and_years) {
  TimePoint t = at("2026-11-30T17:00:00Z");  // 2026-12-01 01:00 in Beijing
  EXPECT_EQ(period_key(t, Granularity::kDay), "D2026-12-01");
  EXPECT_EQ(period_key(t, Granularity::kMonth), "M2026-12");
  EXPECT_EQ(period_key(at("2026-12-31T16:30:00Z"), Granularity::kYear), "Y2027");
}

TEST(MetricDefinitions, a_rate_keeps_both_counts_and_has_no_value_without_a_denominator) {
  auto defs = default_metrics();
  MetricValue none = compute(metric(defs, "response_rate"), Counters{});
  EXPECT_EQ(none.denominator, 0);
  EXPECT_FALSE(none.value);
  MetricValue v =
      compute(metric(defs, "response_rate"), Counters{{"responded", 3}, {"assignments", 4}});
  EXPECT_EQ(v.numerator, 3);
  EXPECT_EQ(v.denominator, 4);
  EXPECT_DOUBLE_EQ(*v.value, 75.0);
  MetricValue h = compute(metric(defs, "avg_handling_hours"),
                          Counters{{"handling_minutes", 600}, {"completed", 5}});
  EXPECT_DOUBLE_EQ(*h.value, 2.0);
}

TEST(MetricDefinitions, counting_fairly_satisfied_as_satisfied_is_a_setting) {
  Counters c{{"satisfied", 6}, {"fairly_satisfied", 2}, {"unsatisfied", 2}, {"ratings", 10}};
  EXPECT_DOUBLE_EQ(*compute(metric(default_metrics(true), "satisfaction_rate"), c).value, 80.0);
  EXPECT_DOUBLE_EQ(*compute(metric(default_metrics(false), "satisfaction_rate"), c).value, 60.0);
  EXPECT_DOUBLE_EQ(*compute(metric(default_metrics(), "dissatisfaction_rate"), c).value, 20.0);
}

class MetricsLoopTest : public ::testing::Test {
 protected:
  testing::MapHierarchy world = testing::make_county();
  Lifecycle lifecycle{SlaPolicy::defaults(), WorkCalendar{}};
  MetricModel model;
  CounterTable table;
  std::vector<CounterDelta> log;   // every delta, to replay in other orders
  FakeClock clock{1767571200000};  // 2026-01-05T00:00Z, Monday
  UnitRef cc = find_unit(world, "cc");
  UnitRef qianyou = find_unit(world, "tp-qianyou");
  Actor command{"u-cmd", Role::kCommand, testing::kCounty, ""};
  Actor township{"u-tq", Role::kTownship, testing::kQianyou, ""};

  Ticket step(const Ticket& t, ActionRequest req, const Actor& who, milliseconds after = 1h) {
    clock.advance(after);
    auto r = lifecycle.apply(t, req, who, clock.now());
    EXPECT_TRUE(r.ok()) << action_code(req.action) << ": " << (r.ok() ? "" : r.error().detail);
    if (!r.ok()) return t;
    auto d = model.deltas(*r, world);
    table.apply(d);
    log.insert(log.end(), d.begin(), d.end());
    return r->after;
  }
  Ticket new_ticket(std::string id) {
    Ticket draft;
    draft.id = std::move(id);
    draft.category = "城乡建设/道路";
    draft.requester_ids = {"c-1"};
    return lifecycle.receive(draft, cc, clock.now())->ticket;
  }
  static ActionRequest act(Action a, std::string note = {}) {
    ActionRequest r;
    r.action = a;
    r.note = std::move(note);
    return r;
  }
  Ticket dispatched(std::string id) {
    ActionRequest d = act(Action::kDispatch);
    d.target = qianyou;
    return step(new_ticket(std::move(id)), d, command);
  }
  Ticket handled(Ticket t, milliseconds claim_after, Rating rating, bool resolved) {
    ActionRequest claim = act(Action::kClaim);
    claim.contacted = true;
    t = step(t, claim, township, claim_after);
    t = step(t, act(Action::kStart), township);
    t = step(t, act(Action::kReply, "已处理"), township);
    t = step(t, act(Action::kComplete), command);
    t = step(t, act(Action::kCallback), command);
    ActionRequest rate = act(Action::kRate);
    rate.rating = rating;
    rate.resolved = resolved;
    return step(t, rate, command);
  }
};

TEST_F(MetricsLoopTest, counters_follow_the_loop_and_give_the_domain_rates_per_unit_and_area) {
  handled(dispatched("T1"), 1h, Rating::kSatisfied, true);
  Ticket t2 = handled(dispatched("T2"), 30h, Rating::kUnsatisfied, false);  // claimed late
  step(t2, act(Action::kReopen, "未解决"), command);
  step(dispatched("T3"), act(Action::kReturn, "不属本街道"), township);

  const std::string month = period_key(clock.now(), Granularity::kMonth);
  Counters unit = table.get("unit", "tp-qianyou", month);
  EXPECT_EQ(unit["assignments"], 3);
  EXPECT_EQ(unit["responded"], 1);
  EXPECT_EQ(unit["returned"], 1);
  EXPECT_EQ(unit["completed"], 2);
  EXPECT_EQ(unit["completed_on_time"], 2);
  EXPECT_EQ(unit["reopened"], 1);
  EXPECT_EQ(unit["township_handled"], 2);
  auto defs = default_metrics();
  EXPECT_NEAR(*compute(metric(defs, "response_rate"), unit).value, 100.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(*compute(metric(defs, "resolution_rate"), unit).value, 50.0);
  EXPECT_DOUBLE_EQ(*compute(metric(defs, "satisfaction_rate"), unit).value, 50.0);
  EXPECT_DOUBLE_EQ(*compute(metric(defs, "on_time_rate"), unit).value, 100.0);
  EXPECT_NEAR(*compute(metric(defs, "return_rate"), unit).value, 100.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(*compute(metric(defs, "reopen_rate"), unit).value, 50.0);
  EXPECT_GT(*compute(metric(defs, "avg_handling_hours"), unit).value, 3.0);
  // The same counts roll up to the township, county and prefecture areas.
  for (const char* area : {testing::kQianyou, testing::kCounty, "611000000000"}) {
    Counters a = table.get("area", area, month);
    EXPECT_EQ(a["assignments"], 3) << area;
    EXPECT_EQ(a["ratings"], 2) << area;
    EXPECT_EQ(a["returned"], 1) << area;
  }
  EXPECT_EQ(table.get("unit", "tp-qianyou", "Y2026")["completed"], 2);
}

TEST_F(MetricsLoopTest, counters_are_the_same_whatever_order_concurrent_writers_apply_them_in) {
  handled(dispatched("T1"), 1h, Rating::kSatisfied, true);
  handled(dispatched("T2"), 2h, Rating::kFairlySatisfied, true);
  step(dispatched("T3"), act(Action::kReturn, "非本单位职责"), township);
  ASSERT_GT(log.size(), 20u);
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    std::vector<CounterDelta> shuffled = log;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    CounterTable other;
    // Interleave in small batches, as separate transactions would.
    for (size_t i = 0; i < shuffled.size(); i += 3)
      other.apply({shuffled.begin() + i, shuffled.begin() + std::min(i + 3, shuffled.size())});
    const std::string month = period_key(clock.now(), Granularity::kMonth);
    EXPECT_EQ(other.get("unit", "tp-qianyou", month), table.get("unit", "tp-qianyou", month));
    EXPECT_EQ(other.get("area", testing::kCounty, month),
              table.get("area", testing::kCounty, month));
    EXPECT_EQ(other.size(), table.size());
  }
}

TEST_F(MetricsLoopTest, an_overdue_deadline_at_the_top_counts_against_the_unit) {
  DeadlineEvent ev{
      DeadlineEventKind::kOverdue, "tm", "T1", TimerKind::kResolution, cc, {}, clock.now()};
  auto d = model.deltas(ev, world);
  table.apply(d);
  EXPECT_EQ(table.get("unit", "cc", period_key(clock.now(), Granularity::kMonth))["overdue"], 1);
  ev.kind = DeadlineEventKind::kWarning;
  EXPECT_TRUE(model.deltas(ev, world).empty());
}

TEST(Rankings, units_rank_best_first_with_shared_ranks_and_too_small_units_unranked) {
  auto defs = default_metrics();
  std::vector<std::pair<std::string, Counters>> units = {
      {"b", {{"resolved", 9}, {"callbacks", 10}}},   {"a", {{"resolved", 9}, {"callbacks", 10}}},
      {"c", {{"resolved", 19}, {"callbacks", 20}}},  {"d", {{"resolved", 1}, {"callbacks", 2}}},
      {"tiny", {{"resolved", 1}, {"callbacks", 1}}}, {"empty", {}},
  };
  auto r = rank_units(metric(defs, "resolution_rate"), units, 2);
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].id, "c");
  EXPECT_EQ(r[0].rank, 1);
  EXPECT_EQ(r[1].id, "a");
  EXPECT_EQ(r[1].rank, 2);
  EXPECT_EQ(r[2].id, "b");
  EXPECT_EQ(r[2].rank, 2);  // tie
  EXPECT_EQ(r[3].id, "d");
  EXPECT_EQ(r[3].rank, 4);
  EXPECT_EQ(r[4].id, "empty");
  EXPECT_EQ(r[4].rank, 0);
  EXPECT_EQ(r[5].id, "tiny");
  EXPECT_EQ(r[5].rank, 0);
}

TEST(Rankings, for_return_rates_lower_is_better) {
  auto defs = default_metrics();
  auto r = rank_units(metric(defs, "return_rate"), {{"x", {{"returned", 5}, {"assignments", 10}}},
                                                    {"y", {{"returned", 1}, {"assignments", 10}}}});
  EXPECT_EQ(r[0].id, "y");
  EXPECT_EQ(r[0].rank, 1);
}

class HotIssueTest : public ::testing::Test {
 protected:
  TimePoint prev = at("2026-10-01T00:00:00+08:00");
  TimePoint cur = at("2026-11-01T00:00:00+08:00");
  TimePoint end = at("2026-12-01T00:00:00+08:00");
  GeoPoint here{33.685, 109.115};
  std::vector<RequestSummary> rs;
  void add(std::string id, std::string text, TimePoint t, std::optional<GeoPoint> p,
           std::string cat = "城乡建设/道路/路灯") {
    rs.push_back(
        {std::move(id), std::move(cat), std::move(text), p, "", t, RequestStatus::kReceived});
  }
};

TEST_F(HotIssueTest, similar_requests_near_each_other_cluster_with_counts_and_a_trend) {
  add("L1", "幸福路小区门口路灯坏了，晚上很黑", cur + 24h, here);
  add("L2", "幸福路小区路灯坏了好几天了", cur + 48h, GeoPoint{33.686, 109.115});
  add("L3", "幸福路小区门口的路灯不亮，晚上很黑", cur + 72h, here);
  add("L0", "幸福路小区门口路灯坏了", prev + 24h, here);
  add("N1", "广场舞噪音扰民，晚上十点还在跳", cur + 30h, here, "环境保护/噪声");
  add("N2", "广场舞噪音太大扰民", cur + 50h, here, "环境保护/噪声");
  add("X1", "孩子入学需要准备哪些材料", cur + 10h, here, "教育文体/入学");
  add("OLD", "幸福路小区门口路灯坏了", prev - 24h, here);  // before the window
  auto hot = cluster_hot_issues(rs, prev, cur, end);
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_EQ(hot[0].count_current, 3);
  EXPECT_EQ(hot[0].count_previous, 1);
  EXPECT_EQ(hot[0].trend, 2);
  EXPECT_EQ(hot[0].trend_code, "rising");
  EXPECT_EQ(hot[0].category, "城乡建设/道路/路灯");
  EXPECT_EQ(hot[0].request_ids.size(), 4u);
  EXPECT_EQ(hot[0].label, "幸福路小区门口路灯坏了");  // the earliest member
  ASSERT_TRUE(hot[0].centre);
  EXPECT_NEAR(hot[0].centre->lat, 33.68525, 1e-6);
  EXPECT_EQ(hot[1].count_current, 2);
  EXPECT_EQ(hot[1].trend_code, "new");
  EXPECT_EQ(hot[1].category, "环境保护/噪声");
}

TEST_F(HotIssueTest, the_same_complaint_in_two_distant_places_makes_two_issues) {
  GeoPoint far{33.80, 109.20};  // ≈ 15 km away
  add("A1", "路灯坏了晚上很黑", cur + 1h, here);
  add("A2", "路灯坏了晚上很黑", cur + 2h, here);
  add("B1", "路灯坏了晚上很黑", cur + 3h, far);
  add("B2", "路灯坏了晚上很黑", cur + 4h, far);
  auto hot = cluster_hot_issues(rs, prev, cur, end);
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_EQ(hot[0].request_ids, (std::vector<std::string>{"A1", "A2"}));
  EXPECT_EQ(hot[1].request_ids, (std::vector<std::string>{"B1", "B2"}));
}

TEST_F(HotIssueTest, the_result_does_not_depend_on_input_order) {
  add("L1", "幸福路小区门口路灯坏了，晚上很黑", cur + 24h, here);
  add("L2", "幸福路小区路灯坏了好几天了", cur + 48h, here);
  add("N1", "广场舞噪音扰民，晚上十点还在跳", cur + 30h, here);
  add("N2", "广场舞噪音太大扰民", cur + 50h, here);
  auto a = cluster_hot_issues(rs, prev, cur, end);
  std::reverse(rs.begin(), rs.end());
  auto b = cluster_hot_issues(rs, prev, cur, end);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].request_ids, b[i].request_ids);
}

}  // namespace
}  // namespace gj::requests
