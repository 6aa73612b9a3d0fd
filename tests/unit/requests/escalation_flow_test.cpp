// The pieces together, the way the integrator wires them: transitions start and cancel timers,
// the scanner fires due timers once, the command chain names the parent, the lifecycle applies
// the escalation as the scheduler, and the metric model counts the breach at the top.
#include <gtest/gtest.h>

#include "common/clock.hpp"
#include "domain/requests/lifecycle.hpp"
#include "domain/requests/metrics.hpp"
#include "domain/requests/router.hpp"
#include "test_world.hpp"

namespace gj::requests {
namespace {

using namespace std::chrono_literals;
using testing::find_unit;

class EscalationFlowTest : public ::testing::Test {
 protected:
  testing::MapHierarchy world = testing::make_county();
  Lifecycle lifecycle{SlaPolicy::defaults(), WorkCalendar{}};
  CommandChain chain{world};
  DeadlineScanner scanner;
  MetricModel metrics;
  CounterTable counters;
  FakeClock clock{1767571200000};  // 2026-01-05T00:00Z, Monday
  std::vector<Timer> timers;       // what the store's timer table would hold
  int next_timer = 1;
  Actor command{"u-cmd", Role::kCommand, testing::kCounty, ""};
  Actor township{"u-tq", Role::kTownship, testing::kQianyou, ""};
  Actor scheduler{"scheduler", Role::kSystem, "", ""};

  // One transaction: the transition, its timer changes and its counter deltas.
  Ticket persist(const Transition& tr) {
    for (TimerKind k : tr.cancel_timers)
      for (auto& t : timers)
        if (t.ticket_id == tr.after.id && t.kind == k &&
            (t.state == TimerState::kPending || t.state == TimerState::kWarned))
          t.state = TimerState::kCancelled;
    for (Timer t : tr.start_timers) {
      t.id = "tm" + std::to_string(next_timer++);
      timers.push_back(std::move(t));
    }
    counters.apply(metrics.deltas(tr, world));
    return tr.after;
  }
  Ticket apply(const Ticket& t, ActionRequest req, const Actor& who) {
    auto r = lifecycle.apply(t, req, who, clock.now());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail);
    return r.ok() ? persist(*r) : t;
  }
  // The scheduler's tick: scan, save timer states, escalate what must go up.
  std::vector<DeadlineEvent> tick(Ticket& ticket) {
    ScanResult scan = scanner.scan(timers, clock.now());
    for (const auto& u : scan.updates)
      for (auto& t : timers)
        if (t.id == u.timer_id) t.state = u.to;
    for (const auto& ev : scan.events) {
      if (ev.kind == DeadlineEventKind::kEscalate) {
        auto req = chain.escalation_request(ev);
        EXPECT_TRUE(req.ok());
        auto r = lifecycle.apply(ticket, *req, scheduler, clock.now());
        // Both limits of a level can pass in one scan: the second finds the ticket already
        // gone up (409 conflict) and is dropped, so a level escalates once.
        if (!r.ok()) {
          EXPECT_EQ(r.error().code, ErrorCode::kConflict);
          continue;
        }
        ticket = persist(*r);
      } else if (ev.kind == DeadlineEventKind::kOverdue) {
        ticket.overdue = true;
        counters.apply(metrics.deltas(ev, world));
      }
    }
    return scan.events;
  }
  int pending() const {
    int n = 0;
    for (const auto& t : timers) n += t.state == TimerState::kPending;
    return n;
  }
};

TEST_F(EscalationFlowTest, an_unclaimed_ticket_climbs_the_chain_once_per_breach_and_ends_overdue) {
  Ticket draft;
  draft.id = "T1";
  draft.category = "城乡建设/道路";
  draft.tier = "urgent";  // response 30 min, resolution 2 h
  auto in = lifecycle.receive(draft, find_unit(world, "cc"), clock.now());
  ASSERT_TRUE(in.ok());
  Ticket t = in->ticket;
  for (Timer tm : in->timers) {
    tm.id = "tm" + std::to_string(next_timer++);
    timers.push_back(tm);
  }
  ActionRequest d;
  d.action = Action::kDispatch;
  d.target = find_unit(world, "tp-qianyou");
  t = apply(t, d, command);
  ActionRequest claim;
  claim.action = Action::kClaim;
  claim.contacted = true;
  t = apply(t, claim, township);
  d.target = find_unit(world, "vc-renhe");
  t = apply(t, d, township);
  ASSERT_EQ(t.holder()->id, "vc-renhe");
  EXPECT_EQ(pending(), 2);  // the village's response and resolution timers

  clock.advance(25min);  // past the warning (75 % of 30 min), before the deadline
  auto warn = tick(t);
  ASSERT_EQ(warn.size(), 1u);
  EXPECT_EQ(warn[0].kind, DeadlineEventKind::kWarning);
  EXPECT_TRUE(tick(t).empty());  // the warning fires once

  clock.advance(10min);  // the village never claimed it: up to the township
  auto up = tick(t);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].kind, DeadlineEventKind::kEscalate);
  EXPECT_EQ(t.status, RequestStatus::kEscalated);
  EXPECT_EQ(t.holder()->id, "tp-qianyou");
  EXPECT_EQ(t.escalation_count, 1);
  EXPECT_TRUE(tick(t).empty());  // the breached timer is spent; the township's are fresh

  clock.advance(3h);  // the township sits on it too: up to the county command centre
  auto again = tick(t);
  ASSERT_FALSE(again.empty());
  EXPECT_EQ(t.holder()->id, "cc");
  EXPECT_EQ(t.escalation_count, 2);  // one escalation although both timers had passed

  clock.advance(3h);  // nobody above the county: overdue, counted against the centre
  auto top = tick(t);
  ASSERT_FALSE(top.empty());
  for (const auto& ev : top) EXPECT_EQ(ev.kind, DeadlineEventKind::kOverdue);
  EXPECT_TRUE(t.overdue);
  EXPECT_EQ(t.holder()->id, "cc");
  const std::string month = period_key(clock.now(), Granularity::kMonth);
  EXPECT_GE(counters.get("unit", "cc", month)["overdue"], 1);
  EXPECT_EQ(counters.get("unit", "vc-renhe", month)["escalated"], 1);
  EXPECT_EQ(counters.get("unit", "tp-qianyou", month)["escalated"], 1);
  EXPECT_TRUE(tick(t).empty());
}

}  // namespace
}  // namespace gj::requests
