#include "domain/requests/sla.hpp"

#include <gtest/gtest.h>

#include "common/clock.hpp"
#include "test_world.hpp"

namespace gj::requests {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

TimePoint at(const std::string& iso) {
  int64_t ms = 0;
  EXPECT_TRUE(parse_iso8601(iso, ms)) << iso;
  return TimePoint(milliseconds(ms));
}
std::string local(TimePoint t) {
  return format_iso8601(t.time_since_epoch().count(), 480);
}

// The State Council's 2025 National Day + Mid-Autumn arrangement: Oct 1–8 off, Sunday Sep 28
// and Saturday Oct 11 are working days. As data, the way a deployment loads it.
constexpr const char* kCalendar2025 = R"(# 2025 国庆节、中秋节
2025-10-01,holiday
2025-10-02,holiday
2025-10-03,holiday
2025-10-04,holiday
2025-10-05,holiday
2025-10-06,holiday
2025-10-07,holiday
2025-10-08,holiday
2025-09-28,workday   # 周日上班
2025-10-11,workday   # 周六上班
)";

TEST(WorkCalendar, weekends_are_off_and_holiday_swaps_come_from_data) {
  auto cal = WorkCalendar::parse(kCalendar2025);
  ASSERT_TRUE(cal.ok()) << cal.error().detail;
  auto ymd = [](int y, unsigned m, unsigned d) {
    return sys_days(year(y) / month(m) / std::chrono::day(d));
  };
  EXPECT_TRUE(cal->is_working_day(ymd(2025, 9, 26)));    // Friday
  EXPECT_FALSE(cal->is_working_day(ymd(2025, 9, 27)));   // Saturday
  EXPECT_TRUE(cal->is_working_day(ymd(2025, 9, 28)));    // Sunday, 调休上班
  EXPECT_FALSE(cal->is_working_day(ymd(2025, 10, 1)));   // National Day
  EXPECT_FALSE(cal->is_working_day(ymd(2025, 10, 8)));   // Wednesday, still off
  EXPECT_TRUE(cal->is_working_day(ymd(2025, 10, 11)));   // Saturday, 调休上班
  EXPECT_FALSE(cal->is_working_day(ymd(2025, 10, 12)));  // Sunday
}

TEST(WorkCalendar, a_malformed_calendar_line_is_reported_with_its_line_number) {
  auto bad = WorkCalendar::parse("2025-10-01,holiday\n2025-13-01,holiday\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(bad.error().detail.find("line 2"), std::string::npos);
  EXPECT_FALSE(WorkCalendar::parse("2025-10-01,party\n").ok());
  EXPECT_FALSE(WorkCalendar::parse("tomorrow,holiday\n").ok());
  EXPECT_TRUE(WorkCalendar::parse("").ok());
}

TEST(WorkCalendar, working_days_skip_the_golden_week_and_count_the_make_up_saturday) {
  auto cal = WorkCalendar::parse(kCalendar2025);
  ASSERT_TRUE(cal.ok());
  TimePoint start = at("2025-09-30T10:00:00+08:00");  // Tuesday before the holiday
  EXPECT_EQ(local(cal->add(start, {1, LimitUnit::kWorkingDays})), "2025-10-10T00:00:00+08:00");
  EXPECT_EQ(local(cal->add(start, {2, LimitUnit::kWorkingDays})), "2025-10-11T00:00:00+08:00");
  EXPECT_EQ(local(cal->add(start, {3, LimitUnit::kWorkingDays})), "2025-10-12T00:00:00+08:00");
  // Received on Saturday: the make-up Sunday is the first working day.
  EXPECT_EQ(local(cal->add(at("2025-09-27T10:00:00+08:00"), {1, LimitUnit::kWorkingDays})),
            "2025-09-29T00:00:00+08:00");
}

TEST(WorkCalendar, the_local_day_is_the_china_day_not_the_utc_day) {
  WorkCalendar cal;
  // 2026-01-04T17:00Z is Monday 01:00 in Beijing: the starting day is Monday, so one working
  // day ends at the end of Tuesday (a UTC calendar would have said the end of Monday).
  TimePoint start = at("2026-01-04T17:00:00Z");
  EXPECT_EQ(local(cal.add(start, {1, LimitUnit::kWorkingDays})), "2026-01-07T00:00:00+08:00");
  // Friday 23:30 in Beijing: the next working day is Monday.
  EXPECT_EQ(local(cal.add(at("2026-01-02T23:30:00+08:00"), {1, LimitUnit::kWorkingDays})),
            "2026-01-06T00:00:00+08:00");
}

TEST(WorkCalendar, hour_and_minute_limits_run_round_the_clock) {
  WorkCalendar cal;
  TimePoint fri = at("2026-01-02T23:00:00+08:00");
  EXPECT_EQ(cal.add(fri, {2, LimitUnit::kHours}) - fri, milliseconds(2h));
  EXPECT_EQ(cal.add(fri, {30, LimitUnit::kMinutes}) - fri, milliseconds(30min));
  EXPECT_EQ(cal.add(fri, {7, LimitUnit::kCalendarDays}) - fri, milliseconds(hours(7 * 24)));
}

TEST(SlaPolicy, the_default_tiers_are_the_domain_tiers_and_unknown_tiers_are_invalid) {
  SlaPolicy p = SlaPolicy::defaults();
  auto urgent = p.tier("urgent");
  ASSERT_TRUE(urgent.ok());
  EXPECT_EQ((*urgent)->resolution.amount, 2);
  EXPECT_EQ((*urgent)->resolution.unit, LimitUnit::kHours);
  EXPECT_EQ((*p.tier("utilities"))->resolution.amount, 24);
  EXPECT_EQ((*p.tier("ordinary"))->resolution.amount, 7);
  EXPECT_EQ((*p.tier("complex"))->resolution.amount, 15);
  EXPECT_EQ((*p.tier(""))->code, "ordinary");
  auto bad = p.tier("someday");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "sla_tier");
  EXPECT_EQ(format_limit({15, LimitUnit::kWorkingDays}, Lang::kZh), "15 个工作日");
}

TEST(SlaPolicy, a_timer_warns_a_fraction_or_a_fixed_time_before_its_deadline) {
  SlaPolicy p = SlaPolicy::defaults();
  WorkCalendar cal;
  UnitRef u{"tp", std::string(kUnitTownshipPlatform), "611026001000", Level::kTownship, "平台"};
  TimePoint start = at("2026-01-05T09:00:00+08:00");
  Timer urgent = make_timer("T1", TimerKind::kResolution, **p.tier("urgent"), u, start, cal);
  EXPECT_EQ(urgent.due_at - start, milliseconds(2h));
  EXPECT_EQ(urgent.due_at - urgent.warn_at, milliseconds(30min));  // 25 % of 2 h
  Timer ordinary = make_timer("T1", TimerKind::kResolution, **p.tier("ordinary"), u, start, cal);
  EXPECT_EQ(local(ordinary.due_at), "2026-01-15T00:00:00+08:00");  // 7 working days
  EXPECT_EQ(ordinary.due_at - ordinary.warn_at, milliseconds(24h));
  EXPECT_EQ(ordinary.state, TimerState::kPending);
}

class ScannerTest : public ::testing::Test {
 protected:
  FakeClock clock;
  WorkCalendar cal;
  SlaPolicy policy = SlaPolicy::defaults();
  testing::MapHierarchy world = testing::make_county();

  Timer timer(std::string id, std::string unit_id, TimerKind kind = TimerKind::kResolution) {
    Timer t = make_timer("T-" + id, kind, **policy.tier("urgent"),
                         testing::find_unit(world, unit_id), clock.now(), cal);
    t.id = std::move(id);
    return t;
  }
  static void persist(std::vector<Timer>& timers, const ScanResult& r) {
    for (const auto& u : r.updates)
      for (auto& t : timers)
        if (t.id == u.timer_id) {
          EXPECT_EQ(t.state, u.from);
          t.state = u.to;
        }
  }
};

TEST_F(ScannerTest, nothing_fires_before_the_warning_time) {
  std::vector<Timer> timers = {timer("1", "vc-renhe")};
  clock.advance(89min);
  ScanResult r = DeadlineScanner().scan(timers, clock.now());
  EXPECT_TRUE(r.events.empty());
  EXPECT_TRUE(r.updates.empty());
}

TEST_F(ScannerTest, a_timer_warns_once_then_escalates_once_below_the_top_of_the_chain) {
  std::vector<Timer> timers = {timer("1", "vc-renhe")};
  DeadlineScanner scanner;
  clock.advance(95min);  // warn at 90 min
  ScanResult warn = scanner.scan(timers, clock.now());
  ASSERT_EQ(warn.events.size(), 1u);
  EXPECT_EQ(warn.events[0].kind, DeadlineEventKind::kWarning);
  EXPECT_EQ(warn.events[0].unit.id, "vc-renhe");
  persist(timers, warn);
  EXPECT_TRUE(scanner.scan(timers, clock.now()).events.empty());  // fired once

  clock.advance(30min);  // past the 2 h deadline
  ScanResult due = scanner.scan(timers, clock.now());
  ASSERT_EQ(due.events.size(), 1u);
  EXPECT_EQ(due.events[0].kind, DeadlineEventKind::kEscalate);
  EXPECT_EQ(due.updates[0].to, TimerState::kFired);
  persist(timers, due);
  clock.advance(24h);
  EXPECT_TRUE(scanner.scan(timers, clock.now()).events.empty());
}

TEST_F(ScannerTest, at_the_county_command_centre_a_breach_is_flagged_overdue_not_escalated) {
  std::vector<Timer> timers = {timer("cc", "cc"), timer("dept", "dept-housing")};
  clock.advance(3h);
  ScanResult r = DeadlineScanner().scan(timers, clock.now());
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].kind, DeadlineEventKind::kOverdue);
  // A county bureau still has a parent: the county command centre.
  EXPECT_EQ(r.events[1].kind, DeadlineEventKind::kEscalate);
}

TEST_F(ScannerTest, a_timer_found_past_due_fires_the_breach_without_a_late_warning) {
  std::vector<Timer> timers = {timer("1", "tp-qianyou")};
  clock.advance(5h);
  ScanResult r = DeadlineScanner().scan(timers, clock.now());
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, DeadlineEventKind::kEscalate);
  EXPECT_EQ(r.updates[0].from, TimerState::kPending);
}

TEST_F(ScannerTest, cancelled_timers_never_fire_and_escalation_can_be_switched_off) {
  std::vector<Timer> timers = {timer("1", "vc-renhe"),
                               timer("2", "vc-renhe", TimerKind::kResponse)};
  timers[0].state = TimerState::kCancelled;
  clock.advance(5h);
  EscalationPolicy no_response_escalation;
  no_response_escalation.escalate_on_response_breach = false;
  ScanResult r = DeadlineScanner(no_response_escalation).scan(timers, clock.now());
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].timer_id, "2");
  EXPECT_EQ(r.events[0].kind, DeadlineEventKind::kOverdue);
}

}  // namespace
}  // namespace gj::requests
